"""Every write about photos and videos: upload, background processing, retry, removal.

Uploads are checked by content in the request (cheap: a few header bytes), stored as a
private original, and handed to the task worker; decoding and re-encoding never happen
inside a request. Nothing is half-stored: a refused upload leaves no file, and a file the
worker can't process is removed, leaving only the row that says why.
"""

import logging
import secrets
import shutil
import tempfile
import warnings
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from acorn.audit.services import audit_record
from acorn.journal.faces import faces_from_items
from acorn.journal.models import MediaItem
from acorn.media_processing import MediaLimits, MediaRejected, detect, process_media
from acorn.media_processing.originals import clean_original

log = logging.getLogger("acorn.media")

MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=30)
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "png": "image/png",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "heic": "image/heic",
    "heif": "image/heif",
}
FAILED_MESSAGE = (
    "We couldn't process this file. Please try adding it again, or choose another photo or video."
)
STORAGE_UNAVAILABLE = (
    "We couldn't store this file just now. Please try adding it again in a minute."
)
RETRYING_MESSAGE = (
    "We couldn't finish this one just now (our file storage didn't answer). "
    "We'll try again shortly: there's nothing you need to do."
)


class StorageUnavailable(Exception):
    """The file store (disk or object storage) failed while an upload was being kept:
    nothing was stored, and trying again is safe (503)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def media_limits() -> MediaLimits:
    return MediaLimits(**settings.ACORN_MEDIA_LIMITS)


def _size_refusal(kind: str, limits: MediaLimits) -> MediaRejected:
    limit = limits.max_photo_bytes if kind == "photo" else limits.max_video_bytes
    what = "Photos" if kind == "photo" else "Videos"
    return MediaRejected(
        "too_large",
        f"This {kind} is too big to add. {what} can be up to {limit // (1024 * 1024)} MB.",
    )


def _refuse_bombs(path: Path, limits: MediaLimits) -> None:
    """Read only the photo's header (cheap) so a decompression bomb is refused at once,
    with a clear message, instead of failing later in the worker."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        width = height = limits.max_photo_pixels  # far too many, whatever the exact count
    except (OSError, SyntaxError, ValueError):
        raise MediaRejected(
            "malformed", "This photo seems to be damaged. Please try another one."
        ) from None
    if width * height > limits.max_photo_pixels:
        raise MediaRejected(
            "too_many_pixels",
            "This photo has too many pixels for us to use safely. Photos can have up to "
            f"{limits.max_photo_pixels // 1_000_000} megapixels.",
        )


def _local_path(uploaded_file, workdir: Path) -> Path:
    if hasattr(uploaded_file, "temporary_file_path"):
        return Path(uploaded_file.temporary_file_path())
    path = workdir / "upload"
    with path.open("wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    return path


def _require_may_upload(uploader, setting, child, request) -> None:
    """An upload is a write like any other: a parent adds photos of their own child (once
    onboarded, P-1); anyone else follows the staff rules of create in this setting (A-5,
    A-6, A-7)."""
    from acorn.children.selectors import linked_child_ids, require_onboarded
    from acorn.journal.policy import is_journal_staff, require_staff_write

    as_parent = (
        child is not None
        and child.setting_id == setting.pk
        and child.pk in linked_child_ids(uploader)
        and not is_journal_staff(uploader, setting.pk)
    )
    if as_parent:
        require_onboarded(uploader, child)
        return
    require_staff_write(
        person=uploader, setting_id=setting.pk, request=request, what="add photos and videos"
    )


def media_upload(*, uploader, setting, uploaded_file, request=None, child=None) -> MediaItem:
    """Check an upload by its content and store it privately; processing is queued.
    `child`: the child a parent's upload is for (a parent's contribution).

    Raises MediaRejected (unsupported_type → 415, too_large → 413) with a message for
    the person who chose the file. Nothing is stored for a refused upload.
    """
    _require_may_upload(uploader, setting, child, request)
    limits = media_limits()
    if uploaded_file.size > max(limits.max_photo_bytes, limits.max_video_bytes):
        raise _size_refusal("video", limits)
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as workdir:
        local = _local_path(uploaded_file, Path(workdir))
        detected = detect(local)
        max_bytes = limits.max_photo_bytes if detected.kind == "photo" else limits.max_video_bytes
        if uploaded_file.size > max_bytes:
            raise _size_refusal(detected.kind, limits)
        if detected.kind == "photo":
            _refuse_bombs(local, limits)
        prefix = f"media/{secrets.token_hex(16)}"
        # As uploaded; replaced by the clean "original.<ext>" once processing succeeds.
        original_name = f"upload.{EXTENSIONS.get(detected.mime, 'bin')}"
        try:
            with local.open("rb") as source:
                stored = default_storage.save(f"{prefix}/{original_name}", File(source))
        except OSError:
            # Storage full or away: whatever part of the file was written goes too.
            log.exception("Storing an upload under %s failed", prefix)
            _storage_delete_prefix(prefix, quietly=True)
            raise StorageUnavailable(STORAGE_UNAVAILABLE) from None
    try:
        with transaction.atomic():
            item = MediaItem.objects.create(
                setting=setting,
                uploaded_by=uploader,
                kind=detected.kind,
                mime=detected.mime,
                storage_prefix=prefix,
                original_name=stored.rsplit("/", 1)[1],
                size_bytes=uploaded_file.size,
            )
            audit_record(
                action="media.upload",
                actor=uploader,
                request=request,
                setting_id=setting.pk,
                object_type="media",
                object_id=item.pk,
                detail={"kind": item.kind, "bytes": item.size_bytes},
            )
            transaction.on_commit(lambda: media_enqueue(item.pk))
    except Exception:
        default_storage.delete(stored)
        raise
    return item


def media_enqueue(media_id) -> None:
    from acorn.journal.tasks import process_media_item

    process_media_item.enqueue(str(media_id))


def _storage_delete_prefix(prefix: str, *, keep: str | None = None, quietly=False) -> None:
    try:
        _dirs, files = default_storage.listdir(prefix)
        for name in files:
            if name != keep:
                default_storage.delete(f"{prefix}/{name}")
    except FileNotFoundError:
        return
    except OSError:
        if not quietly:
            raise
        log.exception("Could not tidy %s", prefix)


def _claim(media_id) -> MediaItem | None:
    """Mark the item as being worked on now; None if there is nothing to do."""
    with transaction.atomic():
        item = MediaItem.objects.select_for_update().filter(pk=media_id).first()
        if item is None or item.status != MediaItem.Status.PROCESSING:
            return None
        started = item.processing_started_at
        if started is not None and started > timezone.now() - STALE_AFTER:
            return None  # a worker is on it now (a duplicate enqueue): it runs once
        item.attempts += 1
        item.processing_started_at = timezone.now()
        item.save(update_fields=["attempts", "processing_started_at"])
        return item


def media_process(media_id) -> str:
    """Make the renditions of one item (runs in the task worker). Returns the new status."""
    item = _claim(media_id)
    if item is None:
        return "skipped"
    workdir = Path(tempfile.mkdtemp(dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        # What an interrupted attempt left (a worker killed mid-job, a full disk) goes
        # first, so a retry never leaves a second copy beside the first.
        _storage_delete_prefix(item.storage_prefix, keep=item.original_name)
        source = workdir / item.original_name
        with default_storage.open(item.original_path(), "rb") as stored, source.open("wb") as out:
            shutil.copyfileobj(stored, out, length=1024 * 1024)
        result = process_media(source, workdir / "out", media_limits())
        renditions = {}
        for name, path in result.renditions.items():
            with path.open("rb") as rendition:
                renditions[name] = default_storage.save(
                    f"{item.storage_prefix}/{path.name}", File(rendition)
                ).rsplit("/", 1)[1]
        # The kept original loses its location and camera details too (issue 8): the
        # clean copy is stored beside the upload, which goes once the row names the copy.
        cleaned = clean_original(source, workdir / "clean")
        with cleaned.open("rb") as clean:
            original_name = default_storage.save(
                f"{item.storage_prefix}/{cleaned.name}", File(clean)
            ).rsplit("/", 1)[1]
    except MediaRejected as refusal:
        _fail(item, refusal.message)
        return MediaItem.Status.FAILED
    except Exception as error:
        log.exception("Processing media %s failed (attempt %s)", item.pk, item.attempts)
        if item.attempts >= MAX_ATTEMPTS:
            _fail(item, FAILED_MESSAGE)
            return MediaItem.Status.FAILED
        # Nothing half-stored: renditions written before the failure go now (the upload
        # stays for the retry). The item says why it isn't ready yet.
        _storage_delete_prefix(item.storage_prefix, keep=item.original_name, quietly=True)
        MediaItem.objects.filter(pk=item.pk).update(
            processing_started_at=None,
            failure_message=RETRYING_MESSAGE if isinstance(error, OSError) else "",
        )
        # Leave it "processing": the stale-job sweep (or the next enqueue) tries again.
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    updated = MediaItem.objects.filter(pk=item.pk, status=MediaItem.Status.PROCESSING).update(
        status=MediaItem.Status.READY,
        original_name=original_name,
        renditions=renditions,
        width=result.width,
        height=result.height,
        duration=getattr(result, "duration", None),
        faces=faces_from_items(result.faces),
        ready_at=timezone.now(),
        failure_message="",
    )
    if updated and original_name != item.original_name:
        default_storage.delete(item.original_path())
    return MediaItem.Status.READY


def _fail(item: MediaItem, message: str) -> None:
    """Nothing half-stored: the files go, the row stays to say what happened."""
    _storage_delete_prefix(item.storage_prefix, quietly=True)
    MediaItem.objects.filter(pk=item.pk).update(
        status=MediaItem.Status.FAILED, failure_message=message[:300], renditions={}
    )


def media_requeue_stale(*, now=None) -> dict:
    """Retry work that a dead worker left behind: items still "processing" whose job
    started long ago (or was never picked up). Items out of attempts are failed."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale = MediaItem.objects.filter(status=MediaItem.Status.PROCESSING).filter(
        Q(processing_started_at__lt=cutoff)
        | Q(processing_started_at__isnull=True, created_at__lt=cutoff)
    )
    requeued = failed = 0
    for item in stale:
        if item.attempts >= MAX_ATTEMPTS:
            _fail(item, FAILED_MESSAGE)
            failed += 1
        else:
            MediaItem.objects.filter(pk=item.pk).update(processing_started_at=None)
            media_enqueue(item.pk)
            requeued += 1
    return {"requeued": requeued, "failed": failed}


def media_delete_files(items) -> None:
    """Remove every stored file of these items (after their rows are gone). The deletion
    is on record, so restoring a backup deletes them again (acorn.ops.backup)."""
    from acorn.ops.backup import record_deletions

    prefixes = [item.storage_prefix for item in items]
    record_deletions("media", prefixes)
    for prefix in prefixes:
        transaction.on_commit(lambda prefix=prefix: _storage_delete_prefix(prefix))


def media_process_local(path: Path, *, workdir: Path) -> dict:
    """The whole pipeline, at once, for a file already on this machine (an import, L-5):
    checked by content and size like an upload, decoded and re-encoded like the worker
    does, the original kept without metadata, everything stored under a new private
    prefix. Returns the MediaItem fields; raises MediaRejected (and stores nothing) for a
    file that isn't a photo or video Acorn accepts."""
    limits = media_limits()
    detected = detect(path)
    size = path.stat().st_size
    max_bytes = limits.max_photo_bytes if detected.kind == "photo" else limits.max_video_bytes
    if size > max_bytes:
        raise _size_refusal(detected.kind, limits)
    if detected.kind == "photo":
        _refuse_bombs(path, limits)
    result = process_media(path, workdir / "out", limits)
    cleaned = clean_original(path, workdir / "clean")
    prefix = f"media/{secrets.token_hex(16)}"
    try:
        renditions = {}
        for name, rendition in result.renditions.items():
            with rendition.open("rb") as data:
                stored = default_storage.save(f"{prefix}/{rendition.name}", File(data))
            renditions[name] = stored.rsplit("/", 1)[1]
        with cleaned.open("rb") as data:
            original = default_storage.save(f"{prefix}/{cleaned.name}", File(data))
    except Exception:
        _storage_delete_prefix(prefix, quietly=True)
        raise
    return {
        "kind": detected.kind,
        "mime": detected.mime,
        "storage_prefix": prefix,
        "original_name": original.rsplit("/", 1)[1],
        "renditions": renditions,
        "size_bytes": size,
        "width": result.width,
        "height": result.height,
        "duration": getattr(result, "duration", None),
        "faces": faces_from_items(result.faces),
    }


def media_delete_prefix(prefix: str) -> None:
    """Remove whatever is stored under one item's prefix now (an import that failed)."""
    _storage_delete_prefix(prefix, quietly=True)

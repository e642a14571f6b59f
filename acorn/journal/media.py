"""Every write about photos and videos: upload, hand-over to the worker, retry, removal
(the worker's processing itself is in `journal.processing`).

Uploads are checked by content in the request (cheap: a few header bytes), stored as a
private original, and handed to the task worker; decoding and re-encoding never happen
inside a request. Nothing is half-stored: a refused upload leaves no file, and a file the
worker can't process is removed, leaving only the row that says why.
"""

import logging
import secrets
import tempfile
import warnings
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
from acorn.journal.processing import (  # noqa: F401 (the worker half, named here too)
    FAILED_MESSAGE,
    MAX_ATTEMPTS,
    STALE_AFTER,
    _claim,
    _fail,
    _storage_delete_prefix,
    media_limits,
    media_process,
)
from acorn.media_processing import MediaLimits, MediaRejected, detect, process_media
from acorn.media_processing.originals import clean_original

log = logging.getLogger("acorn.media")

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
STORAGE_UNAVAILABLE = (
    "We couldn't store this file just now. Please try adding it again in a minute."
)


class StorageUnavailable(Exception):
    """The file store (disk or object storage) failed while an upload was being kept:
    nothing was stored, and trying again is safe (503)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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

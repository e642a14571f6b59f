"""The task worker's half of photos and videos: claiming a job, making the renditions,
failing cleanly. Kept apart from `journal.media` (the request side: upload, enqueue,
removal) so that `journal.tasks` runs this without importing the module that enqueues it.
"""

import logging
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from acorn.journal.faces import faces_from_items
from acorn.journal.models import MediaItem
from acorn.media_processing import MediaLimits, MediaRejected, process_media
from acorn.media_processing.originals import clean_original

log = logging.getLogger("acorn.media")

MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=30)
FAILED_MESSAGE = (
    "We couldn't process this file. Please try adding it again, or choose another photo or video."
)
RETRYING_MESSAGE = (
    "We couldn't finish this one just now (our file storage didn't answer). "
    "We'll try again shortly: there's nothing you need to do."
)


def media_limits() -> MediaLimits:
    return MediaLimits(**settings.ACORN_MEDIA_LIMITS)


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

"""Small builders for journal tests: media rows with real (tiny) files, without running the
image pipeline (the pipeline has its own tests)."""

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from acorn.journal.models import MediaAppearance, MediaItem


def stored_photo(*, setting, uploaded_by, observation=None, appears=()):
    """A ready photo with its files in storage, attached to `observation` if given."""
    prefix = f"media/{secrets.token_hex(16)}"
    for name in ("original.jpg", "display.jpg", "thumb.webp"):
        default_storage.save(f"{prefix}/{name}", ContentFile(b"not really a photo"))
    item = MediaItem.objects.create(
        setting=setting,
        uploaded_by=uploaded_by,
        observation=observation,
        kind=MediaItem.Kind.PHOTO,
        mime="image/jpeg",
        status=MediaItem.Status.READY,
        storage_prefix=prefix,
        original_name="original.jpg",
        renditions={"display": "display.jpg", "thumb": "thumb.webp"},
        width=10,
        height=10,
    )
    MediaAppearance.objects.bulk_create(MediaAppearance(media=item, child=c) for c in appears)
    return item


def files_of(item) -> list[str]:
    try:
        return sorted(default_storage.listdir(item.storage_prefix)[1])
    except FileNotFoundError:
        return []


def appearing(item) -> set:
    return set(MediaAppearance.objects.filter(media=item).values_list("child_id", flat=True))

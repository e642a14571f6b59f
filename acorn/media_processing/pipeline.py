"""One entry point for an upload whose kind is not known yet."""

import os

from .detect import detect
from .limits import MediaLimits
from .photos import PhotoResult, process_photo
from .videos import VideoResult, process_video


def process_media(
    src_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    limits: MediaLimits = MediaLimits(),  # noqa: B008 - frozen, so sharing it is safe
) -> PhotoResult | VideoResult:
    """Detect the upload's kind by content and run the photo or video pipeline on it."""
    if detect(src_path).kind == "photo":
        return process_photo(src_path, out_dir, limits)
    return process_video(src_path, out_dir, limits)

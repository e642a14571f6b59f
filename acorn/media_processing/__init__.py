"""Checking and re-encoding uploaded photos and videos (J-3), with no Django in sight.

    limits = MediaLimits()                       # or built from settings by the caller
    result = process_media(upload_path, work_dir, limits)
    result.renditions["display"], result.renditions["thumb"]   # + "poster" for videos

Files are identified by content, refused with `MediaRejected` (a stable `.code` and a message
for the person who chose the file) when unsupported, too big, too long or damaged, and
re-encoded so that no metadata (location above all) reaches a rendition. Renditions are
written to `out_dir` all together or not at all; the original is only read, and storing it
privately is the caller's job.
"""

from .detect import Detected, detect
from .errors import REJECTION_CODES, MediaProcessingFailed, MediaRejected
from .limits import MediaLimits
from .photos import PhotoResult, process_photo
from .pipeline import process_media
from .videos import VideoProbe, VideoResult, probe_video, process_video

__all__ = [
    "REJECTION_CODES",
    "Detected",
    "MediaLimits",
    "MediaProcessingFailed",
    "MediaRejected",
    "PhotoResult",
    "VideoProbe",
    "VideoResult",
    "detect",
    "probe_video",
    "process_media",
    "process_photo",
    "process_video",
]

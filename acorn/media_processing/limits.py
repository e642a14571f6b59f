"""Size, resolution and duration limits for uploaded media.

Callers build one `MediaLimits` (usually from Django settings) and pass it in; nothing in this
package reads settings itself, so it can be tested and benchmarked without Django.
"""

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class MediaLimits:
    # Largest upload accepted, checked on the file size before anything is decoded.
    # 30 MB covers any iPad/phone photo, including 48-megapixel HEICs.
    max_photo_bytes: int = 30 * MB
    # 500 MB is roughly ten minutes of 1080p phone video.
    max_video_bytes: int = 500 * MB

    # Decoding cost is set by pixels, not bytes (a 50 kB PNG can declare 400 megapixels), so
    # the header's pixel count is checked before any pixel data is decoded.
    max_photo_pixels: int = 50_000_000
    # 4K UHD / DCI 4K; portrait clips are measured the same way (width x height).
    max_video_pixels: int = 4096 * 2160
    max_video_seconds: float = 10 * 60

    # Renditions: longest side for photos, shorter side for video ("720p" means 720 lines for
    # landscape clips and 720 columns for portrait ones, so upright phone clips stay sharp).
    thumb_px: int = 400
    display_px: int = 1600
    video_display_px: int = 720

    # Hard stop for one ffmpeg run. Ten minutes of 4K HEVC takes a few minutes on two cores;
    # anything far beyond that is a stuck or hostile file.
    video_timeout_seconds: float = 30 * 60

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value <= 0:
                raise ValueError(f"MediaLimits.{name} must be positive, not {value!r}")
        if self.thumb_px > self.display_px:
            raise ValueError("MediaLimits.thumb_px must not be larger than display_px")

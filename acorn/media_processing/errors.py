"""Refusals a person can act on, and failures they cannot.

`MediaRejected` means the file itself is the problem: the message is shown as it is to the
practitioner or parent who chose the file. `MediaProcessingFailed` means something went wrong on
our side (disk, ffmpeg missing, a timeout); the caller logs it and may retry.
"""

REJECTION_CODES = frozenset(
    {"unsupported_type", "too_large", "too_many_pixels", "too_long", "malformed"}
)

_DEFAULT_MESSAGES = {
    "unsupported_type": (
        "This file isn't a photo or video we can use. Please choose a JPEG, PNG, HEIC or WebP "
        "photo, or an MP4 or MOV video."
    ),
    "too_large": "This file is too large to upload. Please choose a smaller photo or video.",
    "too_many_pixels": (
        "This picture is bigger than we can handle. Please choose a smaller photo or video."
    ),
    "too_long": "This video is too long. Please trim it and try again.",
    "malformed": (
        "We couldn't read this file. It may be damaged or only partly copied. Please try "
        "choosing it again, or take a new photo or video."
    ),
}


class MediaRejected(Exception):
    """The uploaded file is refused; `.code` is stable, `.message` is for people."""

    def __init__(self, code: str, message: str | None = None) -> None:
        if code not in REJECTION_CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.message = message or _DEFAULT_MESSAGES[code]
        super().__init__(f"{code}: {self.message}")


class MediaProcessingFailed(Exception):
    """An unexpected failure while processing; not the uploader's fault."""

    message = (
        "Something went wrong while we were preparing this file. Please try again in a few "
        "minutes. If it keeps happening, let your setting's manager know."
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def photo_too_large(limit_bytes: int) -> MediaRejected:
    return MediaRejected(
        "too_large",
        f"This photo is too large to upload. Please choose a photo smaller than "
        f"{_megabytes(limit_bytes)}.",
    )


def video_too_large(limit_bytes: int) -> MediaRejected:
    return MediaRejected(
        "too_large",
        f"This video is too large to upload. Please choose a video smaller than "
        f"{_megabytes(limit_bytes)}, or trim this one first.",
    )


def photo_too_many_pixels(limit_pixels: int) -> MediaRejected:
    megapixels = limit_pixels / 1_000_000
    return MediaRejected(
        "too_many_pixels",
        f"This photo has more detail than we can handle (the most is {megapixels:g} "
        "megapixels). Please choose a smaller photo, or resize this one first.",
    )


def video_too_many_pixels() -> MediaRejected:
    return MediaRejected(
        "too_many_pixels",
        "This video's picture is bigger than we can handle. Please record at 4K or lower, "
        "or choose another video.",
    )


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def _spoken_duration(seconds: float) -> str:
    minutes, seconds = divmod(max(1, round(seconds)), 60)
    parts = [_plural(minutes, "minute")] if minutes else []
    if seconds:
        parts.append(_plural(seconds, "second"))
    return " and ".join(parts)


def video_too_long(limit_seconds: float) -> MediaRejected:
    limit = _spoken_duration(limit_seconds)
    return MediaRejected(
        "too_long",
        f"This video is longer than {limit}. Please trim it to {limit} or less and try again.",
    )


def photo_malformed() -> MediaRejected:
    return MediaRejected(
        "malformed",
        "We couldn't open this photo. It may be damaged or only partly copied. Please try "
        "choosing it again, or take the photo again.",
    )


def video_malformed() -> MediaRejected:
    return MediaRejected(
        "malformed",
        "We couldn't play this video. It may be damaged or only partly copied. Please try "
        "choosing it again, or record it again.",
    )


def video_codec_unsupported() -> MediaRejected:
    return MediaRejected(
        "unsupported_type",
        "This video was recorded in a format we can't use. Please record it with your "
        "device's usual camera settings, or choose another video.",
    )

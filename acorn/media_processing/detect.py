"""Decide what an upload is from its first bytes, never from its name.

Only six container formats are accepted, and each has a fixed signature, so the check is a short
table rather than a general-purpose sniffer. (The `filetype` package's ISO-BMFF matchers miss
brands real devices write, such as 'heix' for 10-bit HEIC and 'iso5'/'avc1'-only MP4s, and
would route an unknown brand to "not ours" for the wrong reason.) Passing this check only means
the file *claims* to be a supported format; the photo and video pipelines then decode it with a
decoder restricted to that format, and a file that fails there is refused as malformed.
"""

import os
from dataclasses import dataclass
from typing import Literal

from .errors import MediaRejected

Kind = Literal["photo", "video"]

# First bytes read; an ftyp box listing every brand a device writes fits easily.
_SNIFF_BYTES = 4096

_HEIC_BRANDS = frozenset({"heic", "heix", "heim", "heis"})
# 'mif1' is the generic HEIF still-image brand; AVIF also lists it, so AVIF is excluded first.
_HEIF_GENERIC_BRANDS = frozenset({"mif1", "mif2"})
_AVIF_BRANDS = frozenset({"avif", "avis"})
_QUICKTIME_BRANDS = frozenset({"qt  "})
# Sound-only files list MP4 brands as compatible; their major brand gives them away.
_AUDIO_ONLY_BRANDS = frozenset({"M4A ", "M4B ", "M4P ", "F4A ", "F4B "})
_MP4_BRANDS = frozenset(
    {
        "isom",
        "iso2",
        "iso3",
        "iso4",
        "iso5",
        "iso6",
        "mp41",
        "mp42",
        "avc1",
        "M4V ",
        "M4VH",
        "M4VP",
        "MSNV",
    }
)

_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}


@dataclass(frozen=True)
class Detected:
    kind: Kind
    mime: str

    @property
    def extension(self) -> str:
        """A conventional extension for storing the original (without a dot)."""
        return _EXTENSIONS[self.mime]


def detect(path: str | os.PathLike[str]) -> Detected:
    """Identify a supported photo or video by content, or raise MediaRejected."""
    with open(path, "rb") as upload:
        head = upload.read(_SNIFF_BYTES)
    detected = _identify(head)
    if detected is None:
        raise MediaRejected("unsupported_type")
    return detected


def _identify(head: bytes) -> Detected | None:
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("photo", "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("photo", "image/png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return Detected("photo", "image/webp")
    brands = _ftyp_brands(head)
    if brands:
        return _identify_iso_bmff(brands)
    return None


def _ftyp_brands(head: bytes) -> list[str]:
    """Major brand followed by compatible brands, or [] if there is no leading ftyp box."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return []
    box_size = int.from_bytes(head[0:4], "big")
    if box_size < 16 or box_size > len(head) or box_size % 4:
        return []
    major = head[8:12]
    compatible = [head[i : i + 4] for i in range(16, box_size, 4)]
    return [brand.decode("latin-1") for brand in (major, *compatible)]


def _identify_iso_bmff(brands: list[str]) -> Detected | None:
    major, all_brands = brands[0], set(brands)
    # The major brand says what the file primarily is; compatible brands only break ties.
    if major in _QUICKTIME_BRANDS:
        return Detected("video", "video/quicktime")
    if major in _MP4_BRANDS and not all_brands & _HEIC_BRANDS:
        return Detected("video", "video/mp4")
    if all_brands & _HEIC_BRANDS:
        return Detected("photo", "image/heic")
    if all_brands & _AVIF_BRANDS or major in _AUDIO_ONLY_BRANDS:
        return None
    if all_brands & _HEIF_GENERIC_BRANDS:
        return Detected("photo", "image/heif")
    # Unknown major brand with MP4 compatibility, e.g. Sony's "XAVC" or "dash" recordings.
    if all_brands & _QUICKTIME_BRANDS:
        return Detected("video", "video/quicktime")
    if all_brands & _MP4_BRANDS:
        return Detected("video", "video/mp4")
    return None

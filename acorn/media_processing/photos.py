"""Photos: refuse what is unsafe to decode, then re-encode from pixels alone.

Re-encoding from a brand-new image (not the decoded one) is what guarantees no metadata
survives: Pillow carries `info` (EXIF, XMP, ICC profile, JPEG comments) through convert() and
resize(), and some encoders write it back by default. A new image has nothing to carry.
"""

import io
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from PIL import Image, ImageCms, ImageOps

from . import errors
from ._staging import staged_output
from .detect import detect
from .errors import MediaProcessingFailed, MediaRejected
from .faces import FaceBox, find_faces
from .limits import MediaLimits

# HEIC is how iPads save photos. Registering is idempotent and only adds a decoder.
pillow_heif.register_heif_opener()

# The one Pillow decoder each accepted type may use, so a file that passes the signature check
# can never be handed to a different (less used, less audited) decoder.
_PILLOW_FORMAT = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}

# What decoders raise for damaged or hostile input. Pillow uses SyntaxError for "not a valid
# file" and OSError for truncation; pillow-heif uses ValueError/RuntimeError.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    RuntimeError,
    struct.error,
)

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

PHOTO_FILES = {"display": "display.jpg", "thumb": "thumb.webp"}


@dataclass(frozen=True)
class PhotoResult:
    # Size of the original as it is meant to be seen (after EXIF orientation).
    width: int
    height: int
    # "display": JPEG, longest side <= limits.display_px; "thumb": WebP, <= limits.thumb_px.
    renditions: dict[str, Path]
    # Faces found in the photo (C-2), for staff to say whose they are.
    faces: tuple[FaceBox, ...] = ()


def process_photo(
    src_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    limits: MediaLimits = MediaLimits(),  # noqa: B008 - frozen, so sharing it is safe
) -> PhotoResult:
    """Check a photo upload and write metadata-free display and thumbnail renditions.

    The original is only read. Raises MediaRejected (the file's fault, with a message for the
    uploader) or MediaProcessingFailed (ours). On either, out_dir is left as it was.
    """
    if os.path.getsize(src_path) > limits.max_photo_bytes:
        raise errors.photo_too_large(limits.max_photo_bytes)
    detected = detect(src_path)
    if detected.kind != "photo":
        raise MediaRejected("unsupported_type")
    try:
        with staged_output(out_dir, PHOTO_FILES) as stage:
            upright, original_size = decode_photo(src_path, detected.mime, limits)
            write_photo_renditions(
                upright,
                display_path=stage.path("display"),
                thumb_path=stage.path("thumb"),
                limits=limits,
            )
            faces = tuple(find_faces(upright))
            renditions = stage.publish()
    except (MediaRejected, MediaProcessingFailed, FileExistsError):
        raise
    except Exception as exc:
        raise MediaProcessingFailed(f"photo processing failed: {exc!r}") from exc
    return PhotoResult(
        width=original_size[0], height=original_size[1], renditions=renditions, faces=faces
    )


def decode_photo(
    src_path: str | os.PathLike[str], mime: str, limits: MediaLimits
) -> tuple[Image.Image, tuple[int, int]]:
    """Decode just enough of the photo for a display rendition, upright and in sRGB.

    Returns the image (RGB, possibly already reduced) and the original's upright size.
    """
    try:
        with Image.open(src_path, formats=[_PILLOW_FORMAT[mime]]) as opened:
            header_size = opened.size
            _refuse_too_many_pixels(header_size, limits)
            # Kept aside only to convert colours to sRGB; it is never written out.
            icc_profile = opened.info.get("icc_profile")
            _reduce_while_decoding(opened, limits.display_px)
            opened.load()
            upright = _apply_orientation(opened)
            original_size = _upright_original_size(header_size, opened.size, upright.size)
            upright = _flatten(upright)
            upright = fit_within(upright, limits.display_px)
            return _to_srgb(upright, icc_profile), original_size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard (Image.MAX_IMAGE_PIXELS) is a second line: honour it even if the
        # caller's limit is higher. The warning only arrives here if warnings are errors.
        raise errors.photo_too_many_pixels(limits.max_photo_pixels) from exc
    except MediaRejected:
        raise
    except _DECODE_ERRORS as exc:
        raise errors.photo_malformed() from exc


def _refuse_too_many_pixels(size: tuple[int, int], limits: MediaLimits) -> None:
    # Image.open has read only the header here, so this runs before any pixel is decoded.
    pixels = size[0] * size[1]
    # Pillow merely warns between MAX_IMAGE_PIXELS and twice that; treat the warning as a no.
    pillow_limit = Image.MAX_IMAGE_PIXELS
    if pixels > limits.max_photo_pixels or (pillow_limit and pixels > pillow_limit):
        raise errors.photo_too_many_pixels(limits.max_photo_pixels)
    if pixels == 0:
        raise errors.photo_malformed()


def _reduce_while_decoding(image: Image.Image, longest_side: int) -> None:
    """Let JPEG decode at 1/2, 1/4 or 1/8 scale when the display rendition is that small.

    A 12-megapixel photo then decodes at 3 megapixels: several times faster and lighter, with
    no visible loss since the result is still larger than the rendition. Other formats ignore it.
    """
    scale = longest_side / max(image.size)
    if scale < 1:
        image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))


def _apply_orientation(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        # Broken EXIF is common on edited photos; the pixels are still fine, so keep them as
        # stored rather than refusing the photo. (A copy: the opened image is closed later.)
        return image.copy()


def _upright_original_size(
    header_size: tuple[int, int], decoded_size: tuple[int, int], upright_size: tuple[int, int]
) -> tuple[int, int]:
    # The decoded image may be reduced by draft(); only whether orientation swapped the sides
    # is carried over to the original's size.
    width, height = header_size
    swapped = upright_size == (decoded_size[1], decoded_size[0]) and upright_size != decoded_size
    return (height, width) if swapped else (width, height)


def _flatten(image: Image.Image) -> Image.Image:
    """Return an RGB, L or CMYK image: transparency goes onto white, 16-bit grey to 8-bit.

    L and CMYK are kept as they are so that their ICC profile can still be applied.
    """
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # Pillow's plain conversion clips 16-bit values at 255 (all white); scale instead.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if image.mode in ("RGB", "L", "CMYK"):
        return image
    return image.convert("RGB")


def fit_within(image: Image.Image, longest_side: int) -> Image.Image:
    """Shrink (never enlarge) so the longest side is at most `longest_side`."""
    if max(image.size) <= longest_side:
        return image
    scale = longest_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reducing_gap does a fast box reduction first, then Lanczos for the last step.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert to sRGB pixels so colours stay right once the ICC profile is dropped.

    iPad and iPhone photos are Display P3; without this they would look washed out.
    """
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # unusable profile: fall back to treating the pixels as sRGB
    return image.convert("RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image with the same pixels and an empty `info`: nothing else can leak."""
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB"))
    return clean


def write_photo_renditions(
    image: Image.Image, *, display_path: Path, thumb_path: Path, limits: MediaLimits
) -> None:
    display = _pixels_only(fit_within(image, limits.display_px))
    # Explicit empty metadata as well, in case a future Pillow copies more by default.
    display.save(
        display_path,
        format="JPEG",
        quality=85,
        progressive=True,
        optimize=True,
        exif=b"",
        icc_profile=None,
    )
    thumb = _pixels_only(fit_within(display, limits.thumb_px))
    thumb.save(thumb_path, format="WEBP", quality=80, method=4, exif=b"", icc_profile=None)

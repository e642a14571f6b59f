"""The original as Acorn keeps it: the upload's own pixels (and sound), with the place it
was taken and every other piece of camera metadata removed.

Staff can open an original (for a report, or a print for the wall), but nobody needs to
know where a photo was taken: an iPad writes the setting's address, or a family's home,
into every picture. Photos are written again from a copy whose metadata has been dropped
(JPEGs with their own quantisation tables and subsampling, so the picture is as close to
the upload as a JPEG can be; PNGs losslessly), keeping only the colour profile and the
orientation. Videos are copied stream by stream, never re-encoded, without any container
or stream metadata and without data tracks (phones put location tracks there).
"""

import os
from pathlib import Path

from PIL import Image, JpegImagePlugin

from ._ffmpeg import input_args, run_ffmpeg
from .detect import detect
from .errors import MediaProcessingFailed
from .photos import _PILLOW_FORMAT

EXIF_ORIENTATION = 0x0112
VIDEO_COPY_TIMEOUT_SECONDS = 300

# Output container per detected video type: the same one the upload came in.
_VIDEO_FORMATS = {"video/mp4": "mp4", "video/quicktime": "mov"}


def clean_original(src_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Path:
    """Write a copy of the upload at `src_path` without metadata into `out_dir`; returns
    its path (named `original.<ext>`). Raises MediaProcessingFailed if it can't."""
    detected = detect(src_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if detected.kind == "photo":
        return _clean_photo(Path(src_path), out_dir, detected.mime)
    return _clean_video(Path(src_path), out_dir, detected.mime)


def _clean_photo(src: Path, out_dir: Path, mime: str) -> Path:
    pillow_format = _PILLOW_FORMAT[mime]
    with Image.open(src, formats=[pillow_format]) as image:
        image.load()
        orientation = image.getexif().get(EXIF_ORIENTATION, 1)
        icc_profile = image.info.get("icc_profile")
        # A copy made from the pixels with an empty `info`: encoders can only write what
        # we hand them below.
        bare = image.copy()
        bare.info = {}
        if "transparency" in image.info:
            bare.info["transparency"] = image.info["transparency"]
        options: dict = {}
        if icc_profile:
            options["icc_profile"] = icc_profile
        if orientation != 1 and pillow_format != "HEIF":
            # pillow-heif hands over HEIC pixels already upright; the others keep the flag
            # so the original still shows the right way up.
            upright = Image.Exif()
            upright[EXIF_ORIENTATION] = orientation
            options["exif"] = upright.tobytes()
        if pillow_format == "JPEG":
            sampling = JpegImagePlugin.get_sampling(image)
            options["qtables"] = image.quantization
            if sampling != -1:
                options["subsampling"] = sampling
            path = out_dir / "original.jpg"
        elif pillow_format == "PNG":
            options["optimize"] = False
            path = out_dir / "original.png"
        elif pillow_format == "WEBP":
            options["quality"] = 95
            path = out_dir / "original.webp"
        else:
            options["quality"] = 92
            path = out_dir / "original.heic"
        try:
            bare.save(path, format=pillow_format, **options)
        except (OSError, ValueError) as error:
            raise MediaProcessingFailed(f"could not rewrite the original: {error}") from error
    return path


def _clean_video(src: Path, out_dir: Path, mime: str) -> Path:
    container = _VIDEO_FORMATS.get(mime, "mp4")
    path = out_dir / f"original.{container}"
    args = [
        *input_args(src),
        "-map", "0:v:0", "-map", "0:a:0?",  # picture and sound only: no data tracks
        "-c", "copy",
        "-map_metadata", "-1",
        "-map_metadata:s:v", "-1",
        "-map_metadata:s:a", "-1",
        "-map_chapters", "-1",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-f", container,
        "-y", str(path),
    ]  # fmt: skip
    completed = run_ffmpeg(args, timeout=VIDEO_COPY_TIMEOUT_SECONDS)
    if completed.returncode != 0 or not path.exists() or path.stat().st_size == 0:
        raise MediaProcessingFailed("could not copy the original video without its metadata")
    return path

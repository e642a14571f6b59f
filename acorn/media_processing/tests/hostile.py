"""A corpus of hostile files (issue 15), made in the test run, and a runner that puts
one file through the whole pipeline the worker runs (detect, process_media, and the
clean original) in a child process with memory and CPU limits.

Run as `python -m acorn.media_processing.tests.hostile FILE OUT_DIR`: prints one JSON
line, {"outcome": "ok" | "rejected" | "failed", "code": ..., "seconds": ...}.
"""

import io
import json
import resource
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

from PIL import Image

from acorn.media_processing.tests import samples

SCRIPT = b"<script>alert('acorn')</script>"
MEMORY_LIMIT_BYTES = 1024**3  # address space for the runner and ffmpeg alike
CPU_LIMIT_SECONDS = 60


def _jpeg(size=(320, 240)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def _png(size=(320, 240)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def _box(kind: bytes, payload: bytes, size: int | None = None) -> bytes:
    return struct.pack(">I", len(payload) + 8 if size is None else size) + kind + payload


def _jpeg_declaring(width: int, height: int) -> bytes:
    """A real JPEG whose frame header claims other dimensions."""
    data = bytearray(_jpeg((16, 16)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _png_with_text(text: bytes) -> bytes:
    data = _png((64, 64))
    body = b"tEXt" + b"Comment\x00" + text
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return data[:33] + chunk + data[33:]  # after the IHDR chunk


def _jpeg_with_script_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    exif[0x013B] = SCRIPT.decode()  # Artist
    out = io.BytesIO()
    Image.effect_noise((200, 150), 60).convert("RGB").save(
        out, format="JPEG", exif=exif, comment=SCRIPT, xmp=b"<x:xmpmeta>" + SCRIPT + b"</x:xmpmeta>"
    )
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (64 * 1024 * 1024))
    return out.getvalue()


def build_corpus(folder: Path) -> dict[str, Path]:
    """name -> file. Each is refused cleanly or processed safely."""
    folder.mkdir(parents=True, exist_ok=True)
    clip = samples.clip(folder / "_clip.mp4", seconds=1)
    mp4 = clip.read_bytes()
    mov = samples.clip(folder / "_clip.mov", seconds=1).read_bytes()
    heic_path = folder / "_photo.heic"
    samples.half_red_half_blue(64, 48).save(heic_path, format="HEIF")
    heic = heic_path.read_bytes()
    jpeg, png = _jpeg(), _png()
    webp = io.BytesIO()
    Image.effect_noise((64, 64), 60).convert("RGB").save(webp, format="WEBP")
    gif, tiff = io.BytesIO(), io.BytesIO()
    Image.new("P", (32, 32)).save(gif, format="GIF")
    Image.new("RGB", (32, 32)).save(tiff, format="TIFF")
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    files = {
        "zero-bytes.jpg": b"",
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "truncated-header.jpg": jpeg[:20],
        "truncated.png": png[: len(png) // 2],
        "truncated.webp": webp.getvalue()[:40],
        "truncated.heic": heic[: len(heic) // 2],
        "truncated.mp4": mp4[: len(mp4) // 2],
        "png-named.jpg": png,
        "jpeg-named.mp4": jpeg,
        "text-named.jpg": b"Just some notes from the day, not a photo.\n" * 50,
        "html-named.png": b"<!doctype html><html><body>" + SCRIPT + b"</body></html>",
        "polyglot-jpeg-html.jpg": jpeg + b"<html>" + SCRIPT + b"</html>",
        "polyglot-html-jpeg.jpg": b"<html>" + SCRIPT + b"</html>" + jpeg,
        "polyglot-png-zip.png": png + _zip_bomb()[:4096],
        "svg-with-script.svg": b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>",
        "svg-named.jpg": b'<?xml version="1.0"?><svg onload="alert(1)"/>',
        "gif.gif": gif.getvalue(),
        "tiff.tif": tiff.getvalue(),
        "pdf-named.jpg": b"%PDF-1.4\n" + SCRIPT,
        "zip-bomb.zip": _zip_bomb(),
        "zip-bomb-named.jpg": _zip_bomb(),
        "png-decompression-bomb.png": samples.png_bomb(
            folder / "_bomb.png", 30000, 30000
        ).read_bytes(),
        "png-wide-bomb.png": samples.png_bomb(folder / "_wide.png", 2**31 - 1, 1).read_bytes(),
        "jpeg-declares-65500-square.jpg": _jpeg_declaring(65500, 65500),
        "jpeg-declares-zero-width.jpg": _jpeg_declaring(0, 16),
        "jpeg-1-by-40000.jpg": _jpeg((1, 40000)),
        "heic-ftyp-then-garbage.heic": _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")
        + b"\xde\xad\xbe\xef" * 256,
        "heic-meta-box-too-large.heic": _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")
        + _box(b"meta", b"\0" * 64, size=0x7FFFFFF0),
        "mp4-ftyp-only.mp4": ftyp,
        "mp4-moov-size-zero.mp4": ftyp + _box(b"moov", b"\0" * 64, size=0),
        "mp4-moov-size-huge.mp4": ftyp + _box(b"moov", b"\0" * 64, size=0xFFFFFFFF),
        "mp4-box-size-below-header.mp4": ftyp + _box(b"moov", b"", size=3) + mp4[32:],
        "mp4-nested-boxes.mp4": ftyp + _nested(b"moov", 2000),
        "mp4-mdat-before-ftyp.mp4": _box(b"mdat", b"\0" * 1024) + mp4,
        "mp4-junk-after.mp4": mp4 + SCRIPT * 100,
        "mov-ftyp-then-garbage.mov": mov[:64] + b"\xff" * 4096,
        "mp4-script-in-title.mp4": samples.clip(
            folder / "_titled.mp4",
            seconds=1,
            extra=["-metadata", f"title={SCRIPT.decode()}", "-metadata", "comment=<b>hi</b>"],
        ).read_bytes(),
        "mp4-claims-ten-hours.mp4": _claim_duration(mp4, 36000),
        "mp4-too-long.mp4": samples.clip(
            folder / "_long.mp4",
            size="32x32",
            seconds=700,
            audio=False,
            extra=["-r", "1"],
        ).read_bytes(),
        "mp4-1000-fps.mp4": samples.clip(
            folder / "_fast.mp4", size="64x48", seconds=1, audio=False, extra=["-r", "1000"]
        ).read_bytes(),
        "jpeg-script-in-exif-xmp-comment.jpg": _jpeg_with_script_metadata(),
        "png-script-in-text-chunk.png": _png_with_text(SCRIPT),
    }
    corpus = {}
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        corpus[name] = path
    return corpus


def _nested(kind: bytes, depth: int) -> bytes:
    inner = b""
    for _ in range(depth):
        inner = _box(kind, inner)
    return inner


def _claim_duration(mp4: bytes, seconds: int) -> bytes:
    """The same clip, its movie header claiming a duration far beyond the real one."""
    data = bytearray(mp4)
    at = data.find(b"mvhd")
    if at < 0:
        return bytes(data)
    version = data[at + 4]
    if version == 0:
        timescale = struct.unpack(">I", data[at + 16 : at + 20])[0]
        data[at + 20 : at + 24] = struct.pack(">I", min(seconds * timescale, 0xFFFFFFFF))
    return bytes(data)


def run_one(source: Path, out_dir: Path) -> dict:
    """The worker's pipeline for one file, as media_process runs it (no Django)."""
    from acorn.media_processing import MediaLimits, MediaRejected, process_media
    from acorn.media_processing.originals import clean_original

    started = time.monotonic()
    try:
        result = process_media(source, out_dir / "renditions", MediaLimits())
        clean_original(source, out_dir / "clean")
        outcome = {"outcome": "ok", "code": None, "duration": getattr(result, "duration", None)}
    except MediaRejected as refusal:
        outcome = {"outcome": "rejected", "code": refusal.code}
    except Exception as error:  # reported; the test decides what is acceptable
        outcome = {"outcome": "failed", "code": type(error).__name__, "error": str(error)[:300]}
    outcome["seconds"] = round(time.monotonic() - started, 2)
    return outcome


def _limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_SECONDS, CPU_LIMIT_SECONDS))


if __name__ == "__main__":
    _limit_resources()
    print(json.dumps(run_one(Path(sys.argv[1]), Path(sys.argv[2]))))

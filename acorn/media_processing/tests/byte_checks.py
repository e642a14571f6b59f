"""Looking inside output files at the byte level, independently of the code under test."""

import re
import struct
import subprocess
from pathlib import Path

from .samples import FFMPEG


def jpeg_segments(path: Path) -> list[int]:
    """Markers of every segment before the image data (APPn, COM, DQT, SOFn, ...)."""
    data = path.read_bytes()
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, offset = [], 2
    while offset < len(data):
        assert data[offset] == 0xFF
        marker = data[offset + 1]
        if marker == 0xDA:  # start of scan: metadata cannot follow in a baseline layout
            break
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        markers.append(marker)
        offset += 2 + length
    return markers


def jpeg_metadata_markers(path: Path) -> list[str]:
    """Names of metadata-carrying segments. JFIF APP0 is only pixel density, so it is allowed."""
    names = {0xE1: "APP1 (EXIF/XMP)", 0xE2: "APP2 (ICC)", 0xED: "APP13 (IPTC)", 0xFE: "COM"}
    found = []
    for marker in jpeg_segments(path):
        if marker in names:
            found.append(names[marker])
        elif 0xE1 <= marker <= 0xEF:
            found.append(f"APP{marker - 0xE0}")
    return found


def webp_chunks(path: Path) -> list[str]:
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        kind = data[offset : offset + 4].decode("latin-1")
        (size,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        chunks.append(kind)
        offset += 8 + size + (size % 2)
    return chunks


def mp4_top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        boxes.append(kind)
        if size < 8:
            break
        offset += size
    return boxes


def ffmpeg_summary(path: Path) -> str:
    """What `ffmpeg -i` says about a file (it exits 1 for want of an output; that is fine).

    The file's name is blanked out: test folder names would otherwise match searched words.
    """
    completed = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    )
    return completed.stderr.replace(str(path), "<file>")


def video_stream_line(path: Path) -> str:
    match = re.search(r"^\s*Stream #0:\d+.*: Video: .*$", ffmpeg_summary(path), re.MULTILINE)
    assert match, f"no video stream in {path}"
    return match.group(0)


def contains_any(path: Path, needles: list[bytes]) -> list[bytes]:
    data = path.read_bytes().lower()
    return [needle for needle in needles if needle.lower() in data]


def files_under(path: Path) -> list[str]:
    """Everything under a folder (hidden files included), for 'nothing was left' checks."""
    if not path.exists():
        return []
    return sorted(str(child.relative_to(path)) for child in path.rglob("*"))

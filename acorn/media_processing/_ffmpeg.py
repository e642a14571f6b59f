"""Running the bundled ffmpeg safely, and reading what `ffmpeg -i` says about a file.

There is no ffprobe in the imageio-ffmpeg wheel, so probing parses the stream summary ffmpeg
prints on stderr. That summary also prints the file's metadata (GPS location included), so
probe output is parsed and dropped, never logged.
"""

import logging
import os
import re
import subprocess
from dataclasses import dataclass, field
from functools import cache

import imageio_ffmpeg

from .errors import MediaProcessingFailed

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 60


@cache
def ffmpeg_exe() -> str:
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise MediaProcessingFailed("the ffmpeg binary from imageio-ffmpeg is missing") from exc


def input_args(path: str | os.PathLike[str]) -> list[str]:
    """Arguments that open `path` as a local MP4/MOV file and nothing else.

    Forcing the mov demuxer stops ffmpeg from sniffing the content as something else (an HLS or
    concat playlist can make ffmpeg read other local files or fetch URLs); the protocol
    whitelist and the "file:" prefix keep a name like "http:x.mp4" from being a URL.
    """
    return ["-protocol_whitelist", "file", "-f", "mov", "-i", "file:" + os.path.abspath(path)]


def run_ffmpeg(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    command = [ffmpeg_exe(), "-nostdin", "-hide_banner", *args]
    try:
        # A list of arguments and no shell: file names can never be read as shell syntax.
        return subprocess.run(  # noqa: S603 - fixed binary, arguments built here
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        # subprocess.run has already killed ffmpeg by now.
        raise MediaProcessingFailed(f"ffmpeg took longer than {timeout:g} seconds") from exc


@dataclass(frozen=True)
class Stream:
    index: int
    kind: str  # "video", "audio", "data", "subtitle", "attachment"
    codec: str
    width: int = 0
    height: int = 0
    pixel_format: str = ""
    rotation: float = 0.0  # degrees, from the display matrix
    hdr: bool = False  # PQ or HLG transfer: needs tone mapping to look right in 8-bit SDR
    attached_picture: bool = False  # cover art, not the video itself

    @property
    def upright_size(self) -> tuple[int, int]:
        if round(self.rotation) % 180 == 90:
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class Probe:
    duration: float | None
    streams: list[Stream] = field(default_factory=list)

    def first(self, kind: str) -> Stream | None:
        for stream in self.streams:
            if stream.kind == kind and not stream.attached_picture:
                return stream
        return None


def probe(path: str | os.PathLike[str], *, timeout: float = PROBE_TIMEOUT_SECONDS) -> Probe | None:
    """Streams and duration of an MP4/MOV file, or None if ffmpeg cannot open it."""
    completed = run_ffmpeg([*input_args(path)], timeout=timeout)
    return parse_probe(completed.stderr)


# Anchored at the start of a line: metadata values are printed after "key : ", so text inside
# a file's metadata cannot pose as a stream line or a duration.
_INPUT = re.compile(r"^Input #0, ", re.MULTILINE)
_DURATION = re.compile(r"^\s*Duration: (?:(\d+):(\d{2}):(\d{2}(?:\.\d+)?)|N/A)")
_STREAM = re.compile(
    r"^\s*Stream #0:(\d+)(?:\[[^\]]*\])?(?:\([^)]*\))?: "
    r"(Video|Audio|Data|Subtitle|Attachment): ([A-Za-z0-9_]+)(.*)$"
)
_DIMENSIONS = re.compile(r", (\d{1,6})x(\d{1,6})\b")
_PIXEL_FORMAT = re.compile(r"^[^,]*, ([a-z0-9_]+)")
_ROTATION = re.compile(r"^\s*display ?matrix: rotation of (-?\d+(?:\.\d+)?) degrees", re.IGNORECASE)
_SECTION_END = re.compile(r"^(?:Input|Output) #|^\S")


def parse_probe(stderr: str) -> Probe | None:
    found_input = _INPUT.search(stderr)
    if not found_input:
        return None
    duration: float | None = None
    streams: list[Stream] = []
    current: dict | None = None
    # Lines after "Input #0, ..." (that line itself ends with the file name).
    summary = stderr[found_input.end() :].partition("\n")[2]
    for line in summary.splitlines():
        if _SECTION_END.match(line):
            break  # only input #0 is described; anything after is not about this file
        if match := _DURATION.match(line):
            if match.group(1) is not None:
                hours, minutes, seconds = match.groups()
                duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
        elif match := _STREAM.match(line):
            if current:
                streams.append(Stream(**current))
            current = _parse_stream(match)
        elif (match := _ROTATION.match(line)) and current:
            current["rotation"] = float(match.group(1))
    if current:
        streams.append(Stream(**current))
    return Probe(duration=duration, streams=streams)


def _parse_stream(match: re.Match[str]) -> dict:
    index, kind, codec, rest = match.groups()
    stream: dict = {"index": int(index), "kind": kind.lower(), "codec": codec}
    if kind == "Video":
        if dimensions := _DIMENSIONS.search(rest):
            stream["width"], stream["height"] = int(dimensions[1]), int(dimensions[2])
        if pixel_format := _PIXEL_FORMAT.match(rest):
            stream["pixel_format"] = pixel_format[1]
        stream["hdr"] = "smpte2084" in rest or "arib-std-b67" in rest
        stream["attached_picture"] = "(attached pic)" in rest
    return stream

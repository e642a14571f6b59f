"""Videos: refuse what is too big or too long, then transcode to a plain, metadata-free MP4.

The output is H.264 + AAC in MP4 with the index at the front (`+faststart`), which every
browser plays and can start before the download ends. iPad MOVs carry the recording location
(`com.apple.quicktime.location.ISO6709`) and timed metadata tracks; only the one picture and
one sound stream are mapped, and all container, stream and chapter metadata is dropped.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from PIL import Image

from . import errors
from ._ffmpeg import PROBE_TIMEOUT_SECONDS, Probe, Stream, input_args, probe, run_ffmpeg
from ._staging import Stage, staged_output
from .detect import detect
from .errors import MediaProcessingFailed, MediaRejected
from .faces import FaceBox, find_faces
from .limits import MediaLimits
from .photos import write_photo_renditions

logger = logging.getLogger(__name__)

VIDEO_FILES = {"display": "display.mp4", "poster": "poster.jpg", "thumb": "thumb.webp"}

# Decoders we are willing to run on uploads: what phones, tablets and cameras record. Anything
# else in an MP4/MOV is refused rather than handed to a rarely used decoder.
_VIDEO_CODECS = frozenset({"h264", "hevc", "prores", "mpeg4", "av1", "vp9", "mjpeg"})
_AUDIO_CODECS = frozenset({"aac", "alac", "mp3", "ac3", "eac3", "opus", "flac"})

# The header's duration can understate the real length, so ffmpeg stops a little past the
# limit and the output's own duration is checked afterwards.
_DURATION_SLACK_SECONDS = 0.5
_POSTER_AT_SECONDS = 1.0

# Keep one upload from taking the whole machine: a fast x264 preset and two threads.
_THREADS = "2"

# HLG/PQ (iPad and iPhone "HDR video") converted for SDR screens; without tone mapping the
# 8-bit H.264 output looks grey and washed out.
_TONE_MAP = (
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
    "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv"
)


class VideoProbe(NamedTuple):
    width: int  # upright (display matrix rotation applied)
    height: int
    duration: float | None  # seconds; None if the header does not say
    has_audio: bool
    codec: str  # ffmpeg's decoder name, e.g. "h264", "hevc"


@dataclass(frozen=True)
class VideoResult:
    # Size of the original as it is meant to be seen (after rotation).
    width: int
    height: int
    duration: float  # seconds, of the display rendition
    # "display": H.264 MP4; "poster": JPEG frame at the video's size; "thumb": WebP.
    renditions: dict[str, Path]
    # Faces found in the poster frame and a few sampled frames: (seconds in, box).
    faces: tuple[tuple[float, FaceBox], ...] = ()


def probe_video(
    path: str | os.PathLike[str], *, timeout: float = PROBE_TIMEOUT_SECONDS
) -> VideoProbe:
    """Describe an MP4/MOV file's main picture stream; MediaRejected if it has none."""
    info = _probe_upload(path, timeout=timeout)
    video = _main_video_stream(info)
    width, height = video.upright_size
    return VideoProbe(width, height, info.duration, _audio_stream(info) is not None, video.codec)


def process_video(
    src_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    limits: MediaLimits = MediaLimits(),  # noqa: B008 - frozen, so sharing it is safe
) -> VideoResult:
    """Check a video upload and write an H.264 MP4, a poster frame and a thumbnail.

    The original is only read. Raises MediaRejected (the file's fault, with a message for the
    uploader) or MediaProcessingFailed (ours). On either, out_dir is left as it was.
    """
    if os.path.getsize(src_path) > limits.max_video_bytes:
        raise errors.video_too_large(limits.max_video_bytes)
    if detect(src_path).kind != "video":
        raise MediaRejected("unsupported_type")
    info = _probe_upload(src_path, timeout=PROBE_TIMEOUT_SECONDS)
    video = _main_video_stream(info)
    if video.codec not in _VIDEO_CODECS:
        raise errors.video_codec_unsupported()
    if video.width * video.height > limits.max_video_pixels:
        raise errors.video_too_many_pixels()
    if info.duration is not None and info.duration > limits.max_video_seconds:
        raise errors.video_too_long(limits.max_video_seconds)

    try:
        with staged_output(out_dir, VIDEO_FILES) as stage:
            _transcode(src_path, stage.path("display"), video, _audio_stream(info), limits)
            duration = _check_display_rendition(stage.path("display"), limits)
            poster_at, poster_faces = _write_poster(stage, duration, limits)
            faces = poster_faces + _faces_in_frames(stage, duration, poster_at, limits)
            renditions = stage.publish()
    except (MediaRejected, MediaProcessingFailed, FileExistsError):
        raise
    except Exception as exc:
        raise MediaProcessingFailed(f"video processing failed: {exc!r}") from exc
    width, height = video.upright_size
    return VideoResult(
        width=width, height=height, duration=duration, renditions=renditions, faces=faces
    )


def _probe_upload(path: str | os.PathLike[str], *, timeout: float) -> Probe:
    info = probe(path, timeout=timeout)
    if info is None:
        raise errors.video_malformed()
    return info


def _main_video_stream(info: Probe) -> Stream:
    video = info.first("video")
    if video is None or video.width <= 0 or video.height <= 0:
        raise errors.video_malformed()
    return video


def _audio_stream(info: Probe) -> Stream | None:
    # The first sound track we can decode; a clip whose only sound is in an unusual format
    # (e.g. Apple's spatial audio codec) keeps its pictures rather than being refused.
    for stream in info.streams:
        if stream.kind == "audio" and (
            stream.codec in _AUDIO_CODECS or stream.codec.startswith("pcm_")
        ):
            return stream
    return None


def _scale_filter(short_side: int) -> str:
    # Shorter side at most `short_side`, never enlarged, both sides even (yuv420p needs it).
    # ffmpeg has already rotated the frames (autorotate) when this runs, so iw/ih are upright.
    landscape = "gte(iw,ih)"
    width = f"if({landscape},-2,trunc(min({short_side},iw)/2)*2)"
    height = f"if({landscape},trunc(min({short_side},ih)/2)*2,-2)"
    return f"scale=w='{width}':h='{height}'"


def _transcode(
    src_path: str | os.PathLike[str],
    display_path: Path,
    video: Stream,
    audio: Stream | None,
    limits: MediaLimits,
) -> None:
    filters = [_scale_filter(limits.video_display_px)]
    colour_tags: list[str] = []
    if video.hdr:
        filters.append(_TONE_MAP)
        colour_tags = ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"]
    filters.append("format=yuv420p")

    if audio is not None:
        audio_args = ["-map", f"0:{audio.index}", "-c:a", "aac", "-b:a", "128k", "-ac", "2"]
    else:
        audio_args = ["-an"]

    args = [
        "-loglevel",
        "error",
        "-filter_threads",
        _THREADS,
        "-threads",
        _THREADS,
        # The decoder itself refuses frames bigger than the limit, in case the stream changes
        # size after the part the probe looked at.
        "-max_pixels",
        str(limits.max_video_pixels),
        *input_args(src_path),
        "-map",
        f"0:{video.index}",
        *audio_args,
        # Nothing from the original's container or streams is copied: no location, device,
        # dates or chapters. Subtitle and data (timed metadata) tracks are not mapped at all.
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-t",
        f"{limits.max_video_seconds + 1:.3f}",
        "-vf",
        ",".join(filters),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        *colour_tags,
        "-fpsmax",
        "30",
        "-threads",
        _THREADS,
        "-movflags",
        "+faststart",
        "-max_muxing_queue_size",
        "4096",
        "-f",
        "mp4",
        "-y",
        "file:" + str(display_path),
    ]
    completed = run_ffmpeg(args, timeout=limits.video_timeout_seconds)
    if completed.returncode != 0:
        # With -loglevel error the transcode prints errors only, not the file's metadata.
        message = completed.stderr[-2000:]
        logger.warning("ffmpeg transcode failed (%s): %s", completed.returncode, message)
        if completed.returncode < 0 or _looks_like_our_fault(message):
            raise MediaProcessingFailed(f"ffmpeg failed: {message[-300:]}")
        raise errors.video_malformed()


def _looks_like_our_fault(ffmpeg_errors: str) -> bool:
    ours = (
        "No space left",
        "Permission denied",
        "Cannot allocate memory",
        "Unknown encoder",
        "Error while opening encoder",
    )
    return any(phrase in ffmpeg_errors for phrase in ours)


def _check_display_rendition(display_path: Path, limits: MediaLimits) -> float:
    """Confirm the transcode produced playable H.264 and measure its real length."""
    info = probe(display_path)
    video = info.first("video") if info else None
    if info is None or video is None or video.codec != "h264" or info.duration is None:
        # The decoder gave up on every frame: the upload was damaged past its header.
        raise errors.video_malformed()
    if info.duration > limits.max_video_seconds + _DURATION_SLACK_SECONDS:
        # The header claimed less than the file holds; ffmpeg stopped at the limit.
        raise errors.video_too_long(limits.max_video_seconds)
    return round(info.duration, 3)


def _write_poster(
    stage: Stage, duration: float, limits: MediaLimits
) -> tuple[float, tuple[tuple[float, FaceBox], ...]]:
    """A still from ~1 s in (or the first frame of a short clip), through the photo path.
    Returns the moment it was taken at, and the faces in it (the frame is at hand)."""
    frame_path = stage.work_path("poster-frame.png")
    moments = [_POSTER_AT_SECONDS, 0.0] if duration >= 2 * _POSTER_AT_SECONDS else [0.0]
    for moment in moments:
        _grab_frames(stage.path("display"), {moment: frame_path}, limits=limits)
        if frame_path.exists() and frame_path.stat().st_size > 0:
            break
    else:
        raise MediaProcessingFailed("could not take a poster frame from the transcoded video")
    # The frame comes from our own transcode, so it is already upright and metadata-free;
    # the photo path re-encodes it anyway so posters and photos follow one rule.
    with Image.open(frame_path, formats=["PNG"]) as frame:
        frame.load()
        picture = frame.convert("RGB")
    write_photo_renditions(
        picture, display_path=stage.path("poster"), thumb_path=stage.path("thumb"), limits=limits
    )
    return moment, tuple((moment, box) for box in find_faces(picture))


_SAMPLED_FRAMES = 2


def _faces_in_frames(
    stage: Stage, duration: float, poster_at: float, limits: MediaLimits
) -> tuple[tuple[float, FaceBox], ...]:
    """Faces in a few frames spread through the clip besides the poster's. Videos with a
    child without consent stay out of other journals until faces can be tracked through
    a clip; these boxes are what staff see meanwhile. One ffmpeg run takes them all."""
    moments = [round(duration * (i + 1) / (_SAMPLED_FRAMES + 1), 3) for i in range(_SAMPLED_FRAMES)]
    frames = {
        moment: stage.work_path(f"faces-frame-{n}.png")
        for n, moment in enumerate(dict.fromkeys(m for m in moments if m != poster_at))
    }
    if not frames:
        return ()
    _grab_frames(stage.path("display"), frames, limits=limits)
    faces = []
    for moment, frame_path in frames.items():
        if not frame_path.exists() or frame_path.stat().st_size == 0:
            continue
        with Image.open(frame_path, formats=["PNG"]) as frame:
            frame.load()
            faces += [(moment, box) for box in find_faces(frame)]
        frame_path.unlink()
    return tuple(faces)


def _grab_frames(video_path: Path, frames: dict[float, Path], *, limits: MediaLimits):
    """One PNG for each moment (seconds in), from one ffmpeg run: the clip is opened once
    for each moment and seeks straight to it. A frame ffmpeg couldn't take is missing."""
    inputs, outputs = [], []
    for index, (moment, frame_path) in enumerate(frames.items()):
        inputs += ["-ss", f"{moment:.3f}", *input_args(video_path)]
        outputs += [
            "-map", f"{index}:v:0", "-frames:v", "1", "-update", "1", "-c:v", "png",
            "-f", "image2", "-y", "file:" + str(frame_path),
        ]  # fmt: skip
    completed = run_ffmpeg(
        ["-loglevel", "error", *inputs, *outputs], timeout=min(limits.video_timeout_seconds, 120)
    )
    if completed.returncode != 0:
        for frame_path in frames.values():
            frame_path.unlink(missing_ok=True)

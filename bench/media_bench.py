"""Rough wall-clock cost of the media pipeline on realistic uploads.

    .venv/bin/python bench/media_bench.py [--hevc] [--video-seconds 30]

Makes a 12-megapixel JPEG (and the same photo as HEIC, as an iPad saves it) with camera EXIF,
and a 1080p H.264 clip with sound (optionally an HEVC MOV too), then times process_photo
(median of 3) and process_video (one run). Nothing is kept: all files live in a temp folder.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from acorn.media_processing import MediaLimits, process_photo, process_video  # noqa: E402
from acorn.media_processing.tests.samples import camera_exif  # noqa: E402

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def make_photo(folder: Path) -> tuple[Path, Path]:
    """4000x3000 with gradients and noise, so JPEG has real detail to encode."""
    size = (4000, 3000)
    across = Image.linear_gradient("L").resize(size)
    down = Image.linear_gradient("L").rotate(90).resize(size)
    noise = Image.effect_noise(size, 48)
    photo = Image.merge("RGB", (across, Image.blend(noise, down, 0.5), down))
    jpeg, heic = folder / "IMG_4000x3000.jpg", folder / "IMG_4000x3000.heic"
    photo.save(jpeg, format="JPEG", quality=92, exif=camera_exif(orientation=6))
    photo.save(heic, format="HEIF", quality=80, exif=camera_exif(orientation=1))
    return jpeg, heic


def make_video(folder: Path, seconds: int, hevc: bool) -> Path:
    if hevc:
        path = folder / "clip_1080p_hevc.mov"
        codec = ["-c:v", "libx265", "-tag:v", "hvc1", "-x265-params", "log-level=error"]
    else:
        path = folder / "clip_1080p_h264.mp4"
        codec = ["-c:v", "libx264"]
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            FFMPEG,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            *codec,
            "-preset",
            "fast",
            "-pix_fmt",
            "yuv420p",
            "-b:v",
            "12M",  # close to what an iPad records at 1080p30
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
    )
    return path


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bench_photo(source: Path, work: Path, limits: MediaLimits, runs: int = 3) -> float:
    times = []
    for run in range(runs):
        out_dir = work / f"{source.stem}-{source.suffix[1:]}-{run}"
        times.append(timed(lambda out_dir=out_dir: process_photo(source, out_dir, limits)))
    return statistics.median(times)


def raw_pillow(source: Path, out_dir: Path) -> None:
    """What any app must do at least: decode, orient, resize twice, encode twice."""
    from PIL import ImageOps

    out_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        display = image.copy()
        display.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
        display.save(out_dir / "d.jpg", "JPEG", quality=85, progressive=True, optimize=True)
        thumb = display.copy()
        thumb.thumbnail((400, 400), Image.Resampling.LANCZOS)
        thumb.save(out_dir / "t.webp", "WEBP", quality=80, method=4)


def raw_ffmpeg(source: Path, out_dir: Path) -> None:
    """The same transcode by hand: 720p H.264 (veryfast, CRF 23), AAC, and a poster."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - our own ffmpeg, our own temp files
        [FFMPEG, "-v", "error", "-y", "-i", str(source), "-vf", "scale=-2:720",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(out_dir / "v.mp4")],
        check=True,
    )  # fmt: skip
    subprocess.run(  # noqa: S603 - our own ffmpeg, our own temp files
        [FFMPEG, "-v", "error", "-y", "-ss", "1", "-i", str(source), "-frames:v", "1",
         str(out_dir / "poster.jpg")],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hevc", action="store_true", help="also time an HEVC MOV")
    parser.add_argument("--video-seconds", type=int, default=30)
    args = parser.parse_args()
    limits = MediaLimits()

    with tempfile.TemporaryDirectory(prefix="media-bench-") as temp:
        folder = Path(temp)
        jpeg, heic = make_photo(folder)
        videos = [make_video(folder, args.video_seconds, hevc=False)]
        if args.hevc:
            videos.append(make_video(folder, args.video_seconds, hevc=True))

        for photo in (jpeg, heic):
            size_mb = photo.stat().st_size / 1e6
            seconds = bench_photo(photo, folder, limits)
            print(
                f"process_photo {photo.suffix[1:].upper():4} 4000x3000 ({size_mb:.1f} MB): "
                f"{seconds:.2f} s (median of 3)"
            )
        raw = statistics.median(
            timed(lambda n=n: raw_pillow(jpeg, folder / f"raw-pillow-{n}")) for n in range(3)
        )
        ours = bench_photo(jpeg, folder / "again", limits)
        print(f"photo: raw Pillow {raw:.2f} s, Acorn {ours:.2f} s: {ours / raw:.2f}× raw")
        for video in videos:
            size_mb = video.stat().st_size / 1e6
            seconds = timed(lambda video=video: process_video(video, folder / video.stem, limits))
            print(
                f"process_video {video.name} ({args.video_seconds} s, {size_mb:.0f} MB): "
                f"{seconds:.2f} s (1 run)"
            )
        raw = timed(lambda: raw_ffmpeg(videos[0], folder / "raw-ffmpeg"))
        ours = timed(lambda: process_video(videos[0], folder / "ours-again", limits))
        print(f"video: raw ffmpeg {raw:.2f} s, Acorn {ours:.2f} s: {ours / raw:.2f}× raw")


if __name__ == "__main__":
    main()

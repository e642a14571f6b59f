"""Upload to "ready" through Acorn itself, on this machine.

Measures, for a 12-megapixel photo and a 30-second 1080p video: the upload step (content
check and private storage, what the request does) and the worker's processing (renditions),
on a scratch SQLite database and local storage. A real worker polls its queue every second,
which adds up to one second more. Run: ./dev bench
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
scratch = tempfile.mkdtemp(prefix="acorn-bench-")
os.environ.update(
    {"ACORN_DEBUG": "1", "ACORN_DATA_DIR": scratch, "ACORN_TASKS": "immediate", "DATABASE_URL": ""}
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acorn.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from PIL import Image  # noqa: E402

from acorn.accounts.models import User  # noqa: E402
from acorn.journal.media import media_process, media_upload  # noqa: E402
from acorn.media_processing.tests import samples  # noqa: E402
from acorn.org.models import Membership, Setting  # noqa: E402


def make_photo(path: Path) -> Path:
    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image.save(path, format="JPEG", quality=90, exif=samples.camera_exif(6))
    return path


def make_video(path: Path) -> Path:
    samples.ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=30",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=30",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(path),
    )  # fmt: skip
    return path


def measure(user, setting, path: Path, runs: int):
    uploads, processing = [], []
    for _ in range(runs):
        started = time.perf_counter()
        item = media_upload(
            uploader=user,
            setting=setting,
            uploaded_file=SimpleUploadedFile(path.name, path.read_bytes()),
        )
        uploaded = time.perf_counter()
        status = media_process(item.pk)
        done = time.perf_counter()
        assert status == "ready", status
        uploads.append(uploaded - started)
        processing.append(done - uploaded)
    return statistics.median(uploads), statistics.median(processing)


def main():
    call_command("migrate", verbosity=0)
    with override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ):
        setting = Setting.objects.create(name="Bench")
        user = User.objects.create_user(email="bench@example.test", name="Bench")
        Membership.objects.create(user=user, setting=setting, role="manager")
        work = Path(scratch)
        photo = make_photo(work / "photo.jpg")
        video = make_video(work / "video.mp4")
        for label, path, runs in (
            ("12 MP JPEG photo", photo, 3),
            ("30 s 1080p H.264 video", video, 1),
        ):
            upload_s, process_s = measure(user, setting, path, runs)
            size = path.stat().st_size / 1e6
            print(
                f"{label:<24} {size:6.1f} MB  upload {upload_s:5.2f} s  "
                f"processing {process_s:6.2f} s  upload-to-ready {upload_s + process_s:6.2f} s"
            )


if __name__ == "__main__":
    main()

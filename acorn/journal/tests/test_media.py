"""Photos and videos end to end through the API, on real files made in the test (J-3, J-4)."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from acorn.journal import media as media_service
from acorn.journal.models import MediaItem
from acorn.journal.tests.media_helpers import gps_jpeg, heic_photo, hevc_video, upload
from acorn.media_processing import probe_video
from acorn.media_processing.tests import samples
from acorn.media_processing.tests.byte_checks import contains_any

LOCATION_BYTES = [b"51.5074", b"ISO6709", samples.CAMERA_MAKE.encode(), b"Acacia"]


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tasks run immediately in tests; this lets the on-commit enqueue happen too."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _entry(api_client, world, media_ids, children=None, appears=None):
    return api_client.post(
        "/observations",
        {
            "children": [str(c.pk) for c in (children or [world.child])],
            "text": "Look what we found!",
            "observed_on": date.today().isoformat(),
            "media": [{"id": m, **({"appears": appears} if appears else {})} for m in media_ids],
            "publish": True,
        },
    )


def _content(api_client, media_id, rendition):
    return api_client.get(f"/media/{media_id}/content", rendition=rendition)


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_photo_with_gps_becomes_clean_renditions(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    response = run_tasks(upload, staff, gps_jpeg(tmp_path))
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "photo"
    media_id = body["id"]
    assert staff.get(f"/media/{media_id}").json()["status"] == "ready"
    assert _entry(staff, world, [media_id]).status_code == 201
    for client in (staff, api(world.parent)):
        for rendition in ("thumb", "display"):
            response = _content(client, media_id, rendition)
            assert response.status_code == 200
            data = _bytes(response)
            path = tmp_path / f"{rendition}.bin"
            path.write_bytes(data)
            assert contains_any(path, LOCATION_BYTES) == []
            image = Image.open(io.BytesIO(data))
            assert not image.getexif()
            assert "exif" not in image.info and "xmp" not in image.info
            assert response["Cache-Control"] == "private, no-store"
            assert response["Content-Disposition"] == "inline"


def test_heic_photo_is_accepted_as_jpeg_and_webp(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, heic_photo(tmp_path)).json()["id"]
    item = MediaItem.objects.get(pk=media_id)
    assert item.status == "ready" and item.mime in ("image/heic", "image/heif")
    assert (item.width, item.height) == (640, 480)
    display = _bytes(_content(staff, media_id, "display"))
    thumb = _bytes(_content(staff, media_id, "thumb"))
    assert Image.open(io.BytesIO(display)).format == "JPEG"
    assert Image.open(io.BytesIO(thumb)).format == "WEBP"


def test_hevc_video_becomes_h264_mp4_with_poster(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    response = run_tasks(upload, staff, hevc_video(tmp_path))
    assert response.status_code == 201
    media_id = response.json()["id"]
    meta = staff.get(f"/media/{media_id}").json()
    assert meta["kind"] == "video" and meta["status"] == "ready"
    assert meta["duration"] == pytest.approx(2, abs=0.5)
    display = tmp_path / "served.mp4"
    display.write_bytes(_bytes(_content(staff, media_id, "display")))
    assert probe_video(display).codec == "h264"
    assert contains_any(display, LOCATION_BYTES) == []
    poster = _bytes(_content(staff, media_id, "poster"))
    assert Image.open(io.BytesIO(poster)).format == "JPEG"
    assert _content(staff, media_id, "display")["Content-Type"] == "video/mp4"


def test_video_supports_byte_ranges_for_ipad_safari(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, samples.clip(tmp_path / "c.mp4")).json()["id"]
    whole = _bytes(_content(staff, media_id, "display"))
    response = staff.client.get(
        f"/api/v1/media/{media_id}/content",
        {"rendition": "display"},
        HTTP_RANGE="bytes=0-99",
        **staff._headers(),
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert _bytes(response) == whole[:100]


def test_decompression_bomb_is_refused_and_nothing_is_stored(world, api, tmp_path, settings):
    bomb = samples.png_bomb(tmp_path / "bomb.png", 20_000, 20_000)
    response = upload(api(world.key_person), bomb)
    assert response.status_code == 413
    assert "megapixels" in response.json()["detail"]
    assert MediaItem.objects.count() == 0
    assert not list((Path(settings.STORAGES["default"]["OPTIONS"]["location"])).rglob("*.*"))


def test_renamed_executable_is_refused_by_content(world, api, tmp_path):
    fake = tmp_path / "holiday.jpg"
    fake.write_bytes(Path("/bin/true").read_bytes())
    response = upload(api(world.key_person), fake)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "JPEG" in response.json()["detail"]
    assert MediaItem.objects.count() == 0


def test_oversized_upload_is_refused_with_413(world, api, tmp_path, settings):
    settings.ACORN_MEDIA_LIMITS = {**settings.ACORN_MEDIA_LIMITS, "max_photo_bytes": 1024}
    big = samples.noisy_jpeg(tmp_path / "big.jpg")
    response = upload(api(world.key_person), big)
    assert response.status_code == 413
    assert "30 MB" not in response.json()["detail"] and "MB" in response.json()["detail"]


def test_upload_declared_larger_than_any_limit_is_refused_before_reading(world, api, settings):
    client = api(world.key_person)
    response = client.client.post(
        "/api/v1/media",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(2 * 1024**3),
        **client._headers(),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_media_work_never_runs_inside_the_request(transactional_db, world, api, tmp_path, settings):
    # Transactional: the real worker commits and closes its connection, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    staff = api(world.key_person)
    response = upload(staff, samples.noisy_jpeg(tmp_path / "p.jpg"))
    assert response.json()["status"] == "processing"
    item = MediaItem.objects.get()
    assert item.renditions == {}
    assert _content(staff, item.pk, "display").status_code == 409
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    item.refresh_from_db()
    assert item.status == "ready" and set(item.renditions) == {"display", "thumb"}


def test_a_job_left_by_a_dead_worker_is_retried(world, api, tmp_path, run_tasks, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, samples.noisy_jpeg(tmp_path / "p.jpg")).json()["id"]
    # The worker claimed the job and died before finishing.
    MediaItem.objects.filter(pk=media_id).update(
        attempts=1, processing_started_at=timezone.now() - timezone.timedelta(hours=1)
    )
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert media_service.media_requeue_stale() == {"requeued": 1, "failed": 0}
    item = MediaItem.objects.get(pk=media_id)
    assert item.status == "ready" and item.attempts == 2


def test_a_job_out_of_attempts_fails_clearly_and_leaves_no_files(
    world, api, tmp_path, run_tasks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, samples.noisy_jpeg(tmp_path / "p.jpg")).json()["id"]
    MediaItem.objects.filter(pk=media_id).update(
        attempts=3, processing_started_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert media_service.media_requeue_stale() == {"requeued": 0, "failed": 1}
    item = MediaItem.objects.get(pk=media_id)
    assert item.status == "failed" and "couldn't process" in item.failure_message
    assert default_storage.listdir(item.storage_prefix)[1] == []


def test_damaged_video_fails_in_the_worker_with_a_message(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    good = samples.clip(tmp_path / "c.mp4").read_bytes()
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(good[: len(good) // 3])
    response = run_tasks(upload, staff, broken)
    assert response.status_code == 201
    meta = staff.get(f"/media/{response.json()['id']}").json()
    assert meta["status"] == "failed" and meta["message"]


def test_originals_are_for_staff_only(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, gps_jpeg(tmp_path)).json()["id"]
    _entry(staff, world, [media_id])
    assert _content(staff, media_id, "original").status_code == 200
    assert _content(api(world.parent), media_id, "original").status_code == 404


def test_the_kept_original_has_no_location_and_the_upload_is_gone(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, gps_jpeg(tmp_path)).json()["id"]
    _entry(staff, world, [media_id])
    original = tmp_path / "original.bin"
    original.write_bytes(_bytes(_content(staff, media_id, "original")))
    assert contains_any(original, LOCATION_BYTES) == []
    with Image.open(original) as image:
        assert image.getexif().get_ifd(0x8825) == {}  # no GPS block
    item = MediaItem.objects.get(pk=media_id)
    _dirs, files = default_storage.listdir(item.storage_prefix)
    assert sorted(files) == sorted([item.original_name, *item.renditions.values()])


def test_other_families_and_settings_get_404_for_every_rendition(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, samples.clip(tmp_path / "c.mp4")).json()["id"]
    _entry(staff, world, [media_id])
    for outsider in (world.other_parent, world.other_manager, world.far_parent):
        client = api(outsider)
        assert client.get(f"/media/{media_id}").status_code == 404
        for rendition in ("thumb", "display", "poster", "original"):
            assert _content(client, media_id, rendition).status_code == 404
    assert _content(api(world.parent), media_id, "poster").status_code == 200
    guessed = "00000000-0000-4000-8000-000000000000"
    assert _content(staff, guessed, "display").status_code == 404


def test_unattached_upload_is_seen_only_by_its_uploader(world, api, tmp_path, run_tasks):
    media_id = run_tasks(upload, api(world.key_person), gps_jpeg(tmp_path)).json()["id"]
    assert api(world.key_person).get(f"/media/{media_id}").status_code == 200
    assert api(world.parent).get(f"/media/{media_id}").status_code == 404
    assert api(world.manager).get(f"/media/{media_id}").status_code == 404


def test_draft_media_is_hidden_from_parents(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, gps_jpeg(tmp_path)).json()["id"]
    staff.post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "observed_on": date.today().isoformat(),
            "media": [{"id": media_id}],
            "publish": False,
        },
    )
    assert _content(api(world.parent), media_id, "thumb").status_code == 404


def test_someone_elses_upload_cannot_be_attached(world, api, tmp_path, run_tasks):
    media_id = run_tasks(upload, api(world.other_manager), gps_jpeg(tmp_path)).json()["id"]
    response = _entry(api(world.key_person), world, [media_id])
    assert response.status_code == 422


def test_photo_only_entry_needs_no_text(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, gps_jpeg(tmp_path)).json()["id"]
    response = staff.post(
        "/observations",
        {
            "children": [str(world.child.pk), str(world.other_child.pk)],
            "observed_on": date.today().isoformat(),
            "media": [{"id": media_id}],
            "publish": True,
        },
    )
    assert response.status_code == 201
    assert [m["id"] for m in response.json()["media"]] == [media_id]
    item = MediaItem.objects.get(pk=media_id)
    assert set(item.appears.values_list("pk", flat=True)) == {world.child.pk, world.other_child.pk}


def test_deleting_an_entry_removes_its_files(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, gps_jpeg(tmp_path)).json()["id"]
    oid = _entry(staff, world, [media_id]).json()["id"]
    prefix = MediaItem.objects.get(pk=media_id).storage_prefix
    assert len(default_storage.listdir(prefix)[1]) == 3
    assert api(world.parent).delete(f"/observations/{oid}").status_code == 403
    assert api(world.other_manager).delete(f"/observations/{oid}").status_code == 404
    response = run_tasks(staff.delete, f"/observations/{oid}")
    assert response.status_code == 204
    assert not MediaItem.objects.filter(pk=media_id).exists()
    assert default_storage.listdir(prefix)[1] == []
    assert staff.get(f"/observations/{oid}").status_code == 404


@override_settings(ACORN_MEDIA_DELIVERY="accel")
def test_accel_delivery_hands_off_to_nginx_after_authorising(world, api, tmp_path, run_tasks):
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, gps_jpeg(tmp_path)).json()["id"]
    _entry(staff, world, [media_id])
    response = _content(api(world.parent), media_id, "display")
    assert response["X-Accel-Redirect"].startswith("/protected-media/media/")
    assert response["Cache-Control"] == "private, no-store"
    assert _content(api(world.other_parent), media_id, "display").status_code == 404


def test_uncleared_staff_cannot_upload(world, api, web, tmp_path):
    from acorn.core.tests import factories as f

    newcomer = f.staff(world.setting_a, "practitioner", cleared=False, name="New Starter")
    response = upload(api(newcomer), gps_jpeg(tmp_path))
    assert response.status_code == 403 and response.json()["code"] == "checks_incomplete"
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = web(newcomer).post(
        "/media/upload", {"file": SimpleUploadedFile("a.jpg", gps_jpeg(tmp_path).read_bytes())}
    )
    assert page.status_code == 403
    assert MediaItem.objects.count() == 0


def test_parent_can_upload_a_photo_from_home_without_naming_the_child(world, api, tmp_path):
    """API.md: POST /media takes only `file`; a parent whose children are all in one
    setting needn't say which child (found by the authorization matrix after the
    write-path merge refused it as "forbidden")."""
    path = tmp_path / "home.png"
    Image.new("RGB", (64, 48), (10, 150, 60)).save(path)
    response = upload(api(world.parent), path)
    assert response.status_code == 201, response.content
    assert MediaItem.objects.get(pk=response.json()["id"]).uploaded_by == world.parent

"""Issue 15: faults injected while people work, each ending in a clear answer and no lost
or half-written data. The database fails at its driver and the disk at the storage
boundary (see faults.py); everything else is real."""

import errno
import threading
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.journal import media as media_service
from acorn.journal import services
from acorn.journal.models import (
    CaptureDraft,
    MediaItem,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from acorn.journal.tests.faults import database_goes_away, stored_files, use_flaky_storage
from acorn.journal.tests.media_helpers import upload
from acorn.media_processing.tests import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _entry_body(world, **extra):
    return {
        "children": [str(world.child.pk)],
        "text": "Xander counted ten conkers.",
        "observed_on": date.today().isoformat(),
        "publish": True,
        **extra,
    }


# The database going away -------------------------------------------------------------


def test_api_create_when_the_database_goes_away_mid_request_is_503_and_saves_nothing(world, api):
    staff = api(world.key_person)
    staff.client.raise_request_exception = False
    # The entry's row is written, then the database goes before its children are linked.
    with database_goes_away(after=r'INSERT INTO "journal_observationchild"') as fault:
        response = staff.post("/observations", _entry_body(world))
    assert fault["refused"] >= 1
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "unavailable" and "nothing was saved" in body["detail"]
    assert response["Retry-After"]
    assert Observation.objects.count() == 0 and ObservationChild.objects.count() == 0
    # Trying again once it's back makes exactly one entry.
    assert staff.post("/observations", _entry_body(world)).status_code == 201
    assert Observation.objects.count() == 1


def test_capture_page_when_the_database_goes_away_shows_a_clear_page_and_saves_nothing(world, web):
    staff = web(world.key_person)
    staff.raise_request_exception = False
    form = {
        "children": [str(world.child.pk)],
        "text": "Xander counted ten conkers.",
        "observed_on": date.today().isoformat(),
        "client_ref": "attempt-7",
        "action": "publish",
    }
    with database_goes_away(after=r'INSERT INTO "journal_observationchild"'):
        response = staff.post("/observations/new", form)
    assert response.status_code == 503
    page = response.content.decode()
    assert "can't reach its records" in page and "nothing was half-saved" in page
    assert Observation.objects.count() == 0
    # The capture page's retry (same client reference) then makes one entry.
    assert staff.post("/observations/new", form).status_code == 302
    assert staff.post("/observations/new", form).status_code == 302
    assert Observation.objects.filter(client_ref="attempt-7").count() == 1


def test_database_gone_before_the_view_runs_still_answers_with_the_api_shape(world, api):
    staff = api(world.key_person)
    staff.client.raise_request_exception = False
    # The very first query (finding the token) fails: the middleware, not the view.
    with database_goes_away(after=r"SELECT"):
        response = staff.get("/children")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_upload_when_the_database_goes_away_leaves_no_file_and_no_row(
    world, api, tmp_path, run_tasks
):
    staff = api(world.key_person)
    staff.client.raise_request_exception = False
    with database_goes_away(after=r'INSERT INTO "journal_mediaitem"'):
        response = run_tasks(upload, staff, samples.noisy_jpeg(tmp_path / "p.jpg"))
    assert response.status_code == 503
    assert MediaItem.objects.count() == 0
    assert stored_files(tmp_path) == []


def test_capture_page_upload_when_the_database_goes_away_is_503_and_leaves_nothing(
    world, web, tmp_path
):
    client = web(world.key_person)
    client.raise_request_exception = False
    data = samples.noisy_jpeg(tmp_path / "p.jpg").read_bytes()
    with database_goes_away(after=r'INSERT INTO "journal_mediaitem"'):
        response = client.post("/media/upload", {"file": SimpleUploadedFile("p.jpg", data)})
    assert response.status_code == 503
    assert MediaItem.objects.count() == 0 and stored_files(tmp_path) == []


def test_capture_draft_autosave_when_the_database_goes_away_is_503_and_keeps_the_old_draft(
    world, web
):
    staff = web(world.key_person)
    staff.raise_request_exception = False
    base = {"capture": "new", "client_ref": "attempt-1", "children": [str(world.child.pk)]}
    assert staff.post("/observations/unsent", {**base, "text": "First words."}).status_code == 200
    with database_goes_away(after=r"UPDATE|INSERT"):
        response = staff.post("/observations/unsent", {**base, "text": "First words, more."})
    assert response.status_code == 503
    assert CaptureDraft.objects.get().text == "First words."


# Double submits and retried calls ----------------------------------------------------


def test_a_retried_api_call_with_the_same_client_ref_makes_one_entry(world, api):
    staff = api(world.key_person)
    first = staff.post("/observations", _entry_body(world, client_ref="tablet-42"))
    again = staff.post("/observations", _entry_body(world, client_ref="tablet-42"))
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Observation.objects.count() == 1
    # Another person's reference is theirs alone.
    other = api(world.manager).post("/observations", _entry_body(world, client_ref="tablet-42"))
    assert other.status_code == 201 and Observation.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_submits_with_one_client_ref_at_the_same_moment_make_one_entry():
    setting = f.SettingFactory()
    author = f.staff(setting, "practitioner")
    child = f.ChildFactory(setting=setting, key_person=author)
    barrier = threading.Barrier(2)
    made, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            made.append(
                services.observation_create(
                    author=author,
                    children=[child],
                    text="Both taps landed.",
                    observed_on=date.today(),
                    publish=True,
                    client_ref="double-tap",
                ).pk
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(made) == 2 and made[0] == made[1]
    assert Observation.objects.filter(client_ref="double-tap").count() == 1


# Two staff editing the same entry at once ---------------------------------------------


def test_two_staff_editing_one_entry_in_the_api_get_a_conflict_with_the_current_text(world, api):
    entry = f.observation(author=world.key_person, children=[world.child], text="Built a den.")
    kate, mia = api(world.key_person), api(world.manager)
    read_by_kate = kate.get(f"/observations/{entry.pk}").json()
    read_by_mia = mia.get(f"/observations/{entry.pk}").json()
    saved = mia.patch(
        f"/observations/{entry.pk}",
        {"text": "Built a den with Yasmin.", "updated_at": read_by_mia["updated_at"]},
    )
    assert saved.status_code == 200
    late = kate.patch(
        f"/observations/{entry.pk}",
        {"text": "Built a den from blankets.", "updated_at": read_by_kate["updated_at"]},
    )
    assert late.status_code == 409
    body = late.json()
    assert body["code"] == "conflict"
    assert body["current"]["text"] == "Built a den with Yasmin."
    entry.refresh_from_db()
    assert entry.text == "Built a den with Yasmin."  # Mia's update was not lost
    # Kate merges, sends it with the current version: both texts are kept.
    merged = kate.patch(
        f"/observations/{entry.pk}",
        {
            "text": "Built a den from blankets with Yasmin.",
            "updated_at": body["current"]["updated_at"],
        },
    )
    assert merged.status_code == 200
    history = list(ObservationRevision.objects.filter(observation=entry).values_list("text"))
    assert ("Built a den with Yasmin.",) in history and ("Built a den.",) in history
    # A client that sends no version keeps today's behaviour (last write wins, kept).
    assert kate.patch(f"/observations/{entry.pk}", {"text": "Plain."}).status_code == 200


def test_two_staff_editing_one_entry_on_the_web_keep_both_texts(world, web):
    entry = f.observation(author=world.key_person, children=[world.child], text="Built a den.")
    kate, mia = web(world.key_person), web(world.manager)
    kate_form = kate.get(f"/observations/{entry.pk}/edit").context["form"]
    mia_form = mia.get(f"/observations/{entry.pk}/edit").context["form"]

    def posted(form, text):
        return {
            "text": text,
            "observed_on": entry.observed_on.isoformat(),
            "version": form.initial["version"],
        }

    assert (
        mia.post(f"/observations/{entry.pk}/edit", posted(mia_form, "Mia's words.")).status_code
        == 302
    )
    response = kate.post(f"/observations/{entry.pk}/edit", posted(kate_form, "Kate's words."))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this entry" in page
    assert "Mia&#x27;s words." in page and "Kate&#x27;s words." in page
    entry.refresh_from_db()
    assert entry.text == "Mia's words."
    # Saving again, knowingly, keeps Mia's words in the history.
    again = response.context["form"].data
    assert kate.post(f"/observations/{entry.pk}/edit", dict(again.items())).status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Kate's words."
    assert ObservationRevision.objects.filter(observation=entry, text="Mia's words.").exists()


# Storage failing ---------------------------------------------------------------------


def test_storage_failing_while_an_upload_is_stored_is_503_and_leaves_nothing(
    world, api, tmp_path, settings
):
    storage = use_flaky_storage(settings, tmp_path)
    storage.failing, storage.error = r"/upload\.", errno.EIO
    staff = api(world.key_person)
    response = upload(staff, samples.noisy_jpeg(tmp_path / "p.jpg"))
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert "try adding it again" in response.json()["detail"]
    assert MediaItem.objects.count() == 0 and stored_files(tmp_path) == []
    storage.failing = None
    assert upload(staff, samples.noisy_jpeg(tmp_path / "p.jpg")).status_code == 201


def test_disk_full_while_writing_a_rendition_says_why_and_a_retry_leaves_one_copy(
    world, api, tmp_path, settings, run_tasks
):
    storage = use_flaky_storage(settings, tmp_path)
    storage.failing = r"/display"  # ENOSPC after part of the display JPEG is written
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, samples.noisy_jpeg(tmp_path / "p.jpg")).json()["id"]
    assert storage.failures == 1
    item = MediaItem.objects.get(pk=media_id)
    assert item.status == "processing" and item.renditions == {}
    shown = staff.get(f"/media/{media_id}").json()
    assert shown["status"] == "processing" and "try again shortly" in shown["message"]
    # Nothing half-written is left: only the upload, waiting for the retry.
    assert stored_files(tmp_path) == [f"{item.storage_prefix}/{item.original_name}"]
    storage.failing = None  # space freed
    assert media_service.media_process(media_id) == "ready"
    item.refresh_from_db()
    assert item.status == "ready" and item.failure_message == ""
    files = stored_files(tmp_path)
    assert sorted(f.rsplit("/", 1)[1] for f in files) == sorted(
        [*item.renditions.values(), item.original_name]
    )
    assert all(f"{item.storage_prefix}/{name}" in files for name in item.renditions.values())
    assert staff.get(f"/media/{media_id}/content", rendition="display").status_code == 200


def test_storage_failing_on_every_attempt_fails_clearly_and_leaves_no_files(
    world, api, tmp_path, settings, run_tasks
):
    storage = use_flaky_storage(settings, tmp_path)
    storage.failing = r"/thumb"
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, samples.noisy_jpeg(tmp_path / "p.jpg")).json()["id"]
    for _attempt in range(media_service.MAX_ATTEMPTS - 2):
        with pytest.raises(OSError):
            media_service.media_process(media_id)
    assert media_service.media_process(media_id) == "failed"  # out of attempts
    item = MediaItem.objects.get(pk=media_id)
    assert item.status == "failed" and "couldn't process" in item.failure_message
    assert item.attempts == media_service.MAX_ATTEMPTS
    assert stored_files(tmp_path) == []


def test_a_duplicate_enqueue_while_a_worker_is_on_the_job_does_not_run_it_twice(
    world, api, tmp_path, settings, run_tasks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, samples.noisy_jpeg(tmp_path / "p.jpg")).json()["id"]
    claimed = media_service._claim(media_id)  # a worker has it now
    assert claimed is not None and claimed.attempts == 1
    assert media_service.media_process(media_id) == "skipped"
    assert MediaItem.objects.get(pk=media_id).attempts == 1


def test_database_gone_at_the_audit_line_rolls_back_the_whole_entry(world, api):
    staff = api(world.key_person)
    staff.client.raise_request_exception = False
    before = AuditEvent.objects.count()
    # The last write of a create is its audit line: the entry and links go with it.
    with database_goes_away(after=r'INSERT INTO "audit_auditevent"') as fault:
        response = staff.post("/observations", _entry_body(world))
    assert any('INSERT INTO "journal_observationchild"' in sql for sql in fault["ran"])
    assert response.status_code == 503
    assert AuditEvent.objects.count() == before
    assert Observation.objects.count() == 0 and ObservationChild.objects.count() == 0


def test_a_photo_sent_from_the_capture_page_when_storage_is_down_is_refused_clearly(
    world, web, tmp_path, settings
):
    storage = use_flaky_storage(settings, tmp_path)
    storage.failing = r"/upload\."
    client = web(world.key_person)
    data = samples.noisy_jpeg(tmp_path / "p.jpg").read_bytes()
    response = client.post("/media/upload", {"file": SimpleUploadedFile("p.jpg", data)})
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert stored_files(tmp_path) == []

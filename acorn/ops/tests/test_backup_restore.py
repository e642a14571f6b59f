"""Issue 15: `manage.py backup` and `manage.py restore` round-trip a populated
installation (every row of every table, every stored file), on SQLite and, with
DATABASE_URL set, on PostgreSQL with the pg_dump found on this machine."""

import hashlib
import io
import json
import shutil
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal import services
from acorn.journal.models import MediaItem, Observation
from acorn.journal.tests.test_s3_storage import BUCKET, bucket, s3_endpoint  # noqa: F401
from acorn.media_processing.tests import samples
from acorn.ops import backup
from acorn.ops.models import DeletionRecord

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "postgresql" and not shutil.which("pg_dump"),
        reason="pg_dump is not on PATH",
    ),
]


def every_row() -> dict:
    return {
        model._meta.label: sorted(
            (json.dumps(row, sort_keys=True, default=str) for row in model.objects.values()),
        )
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def every_file(tmp_path) -> dict:
    root = tmp_path / "media"
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _photo_entry(world, api, tmp_path, name, text):
    staff = api(world.key_person)
    data = samples.noisy_jpeg(tmp_path / name).read_bytes()
    media_id = staff.client.post(
        "/api/v1/media", {"file": SimpleUploadedFile(name, data)}, **staff._headers()
    ).json()["id"]
    response = staff.post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "text": text,
            "observed_on": date.today().isoformat(),
            "media": [{"id": media_id}],
            "publish": True,
        },
    )
    assert response.status_code == 201, response.content
    return Observation.objects.get(pk=response.json()["id"])


@pytest.fixture
def populated(world, api, tmp_path):
    """A setting with people, children, entries with processed photos, replies, audit."""
    kept = _photo_entry(world, api, tmp_path, "a.jpg", "Xander painted the sky.")
    doomed = _photo_entry(world, api, tmp_path, "b.jpg", "Xander at the sand tray.")
    api(world.parent).post(f"/observations/{kept.pk}/comments", {"text": "He loves blue!"})
    f.observation(author=world.key_person, children=[world.other_child], status="draft")
    assert MediaItem.objects.filter(status="ready").count() == 2
    return kept, doomed


def test_backup_and_restore_round_trip_every_row_and_every_file(world, api, populated, tmp_path):
    rows, files = every_row(), every_file(tmp_path)
    assert len(files) >= 6
    out = io.StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out)
    folder = next((tmp_path / "backups").glob("acorn-backup-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {entry["name"] for entry in manifest["files"]} == set(files)
    assert all(entry["sha256"] == files[entry["name"]] for entry in manifest["files"])

    # Life goes on: a new entry with a photo, a changed name.
    _photo_entry(world, api, tmp_path, "c.jpg", "After the backup.")
    Child.objects.filter(pk=world.child.pk).update(first_name="Changed")
    assert every_row() != rows and every_file(tmp_path) != files

    call_command("restore", str(folder), "--yes", stdout=io.StringIO())
    assert every_row() == rows
    assert every_file(tmp_path) == files


def test_a_restore_deletes_again_what_was_deleted_since_the_backup(world, api, populated, tmp_path):
    kept, doomed = populated
    folder = backup.backup(tmp_path / "backups")
    doomed_prefix = MediaItem.objects.get(observation=doomed).storage_prefix
    services.observation_delete(observation=doomed, deleted_by=world.key_person)
    assert not any(name.startswith(doomed_prefix) for name in every_file(tmp_path))
    rows_after_delete, files_after_delete = every_row(), every_file(tmp_path)

    outcome = backup.restore(folder)
    assert outcome["deletions"] == 2  # the entry and its photo's files
    assert not Observation.objects.filter(pk=doomed.pk).exists()
    assert not MediaItem.objects.filter(storage_prefix=doomed_prefix).exists()
    assert Observation.objects.filter(pk=kept.pk).exists()
    assert every_file(tmp_path) == files_after_delete
    # Everything else is as it was; the deletion records stay for later restores.
    restored = every_row()
    for label, expected in rows_after_delete.items():
        if label not in ("audit.AuditEvent", "accounts.ApiToken", "ops.ScheduledJob"):
            assert restored[label] == expected, label
    assert DeletionRecord.objects.count() == 2


def test_a_restore_purges_again_a_child_purged_since_the_backup(world, api, populated, tmp_path):
    from acorn.leaving.purge import child_purge

    kept, _doomed = populated
    folder = backup.backup(tmp_path / "backups")
    prefixes = list(
        MediaItem.objects.filter(observation__children=world.child).values_list(
            "storage_prefix", flat=True
        )
    )
    assert prefixes
    child_purge(child=world.child)
    assert not Child.objects.filter(pk=world.child.pk).exists()

    backup.restore(folder)

    assert not Child.objects.filter(pk=world.child.pk).exists()
    assert not Observation.objects.filter(pk=kept.pk).exists()
    assert not any(name.startswith(prefix) for prefix in prefixes for name in every_file(tmp_path))
    assert Child.objects.filter(pk=world.other_child.pk).exists()


def test_a_damaged_backup_is_refused_and_nothing_is_restored(world, populated, tmp_path):
    folder = backup.backup(tmp_path / "backups")
    photo = next((folder / "files").rglob("display*"))
    photo.write_bytes(b"bit rot")
    Child.objects.filter(pk=world.child.pk).update(first_name="Still here")
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(folder)
    assert Child.objects.get(pk=world.child.pk).first_name == "Still here"


def test_backups_expire_after_the_retention_period(tmp_path, world):
    now = datetime.now(UTC)
    old = backup.backup(tmp_path / "backups", now=now - timedelta(days=40))
    recent = backup.backup(tmp_path / "backups", now=now - timedelta(days=3))
    removed = backup.expire(tmp_path / "backups", keep_days=35, now=now)
    assert removed == [old]
    assert not old.exists() and recent.exists()


def _objects(client) -> dict:
    found = {}
    for entry in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        body = client.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read()
        found[entry["Key"]] = hashlib.sha256(body).hexdigest()
    return found


def test_backup_and_restore_with_every_file_on_s3(bucket, world, api, tmp_path):  # noqa: F811
    _photo_entry(world, api, tmp_path, "a.jpg", "On object storage.")
    rows, objects = every_row(), _objects(bucket)
    assert len(objects) >= 3
    folder = backup.backup(tmp_path / "backups")
    assert (tmp_path / "media").exists() is False  # nothing came from a local folder
    _photo_entry(world, api, tmp_path, "b.jpg", "After the backup.")
    first = next(iter(objects))
    bucket.delete_object(Bucket=BUCKET, Key=first)  # and one object lost
    backup.restore(folder)
    assert _objects(bucket) == objects
    assert every_row() == rows


def test_a_backup_taken_while_entries_are_being_written_is_consistent(world, tmp_path):
    stop, written, errors = threading.Event(), [], []

    def practitioner_at_work():
        try:
            while not stop.is_set():
                services.observation_create(
                    author=world.key_person,
                    children=[world.child, world.other_child],
                    text=f"Entry {len(written)}",
                    observed_on=date.today(),
                    publish=True,
                )
                written.append(1)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=practitioner_at_work)
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while len(written) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        folder = backup.backup(tmp_path / "backups")
        time.sleep(0.2)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert errors == [] and len(written) >= 5
    backup.restore(folder)
    restored = Observation.objects.count()
    assert 5 <= restored <= len(written)
    # Every entry in the backup is whole: both children linked, nothing half-written.
    for observation in Observation.objects.all():
        assert observation.links.count() == 2, observation.text

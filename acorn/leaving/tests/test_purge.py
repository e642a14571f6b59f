"""L-4: after the grace period everything of the child is deleted, provably; group
entries stay whole for the other children with nothing of the purged child in them."""

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from acorn.children.models import Child, ParentLink
from acorn.core.tests import factories as f
from acorn.journal.models import (
    CaptureDraft,
    Comment,
    MediaAppearance,
    MediaItem,
    Observation,
    ObservationChild,
)
from acorn.journal.tests.test_s3_storage import BUCKET, bucket, s3_endpoint  # noqa: F401
from acorn.leaving import purge
from acorn.leaving.models import DeletionRecord, KeepsakeExport, Leaving


def photo_with_unique_bytes(*, setting, uploaded_by, observation=None, appears=()):
    """A ready photo whose three files hold bytes found nowhere else."""
    prefix = f"media/{secrets.token_hex(16)}"
    contents = {}
    for name in ("original.jpg", "display.jpg", "thumb.webp"):
        contents[name] = b"PHOTO-" + secrets.token_hex(48).encode()
        default_storage.save(f"{prefix}/{name}", ContentFile(contents[name]))
    item = MediaItem.objects.create(
        setting=setting,
        uploaded_by=uploaded_by,
        observation=observation,
        kind=MediaItem.Kind.PHOTO,
        mime="image/jpeg",
        status=MediaItem.Status.READY,
        storage_prefix=prefix,
        original_name="original.jpg",
        renditions={"display": "display.jpg", "thumb": "thumb.webp"},
    )
    MediaAppearance.objects.bulk_create(MediaAppearance(media=item, child=c) for c in appears)
    item.contents = list(contents.values())
    return item


def leaving_child(setting, key_person, *, first="Quillon", last="Vexbridge", days_ago=31):
    child = f.ChildFactory(setting=setting, first_name=first, last_name=last, key_person=key_person)
    Leaving.objects.create(
        child=child,
        leaving_on=timezone.localdate() - timedelta(days=days_ago),
        destination_name="Oak Primary",
    )
    Child.objects.filter(pk=child.pk).update(status=Child.Status.ARCHIVED)
    return child


@pytest.fixture
def purge_world(world):
    w = world
    w.leaver = leaving_child(w.setting_a, w.key_person)
    w.leaver_parent = f.parent_of(w.leaver, name="Lou Parent", email="lou@a.test")
    w.own_entry = f.observation(
        author=w.key_person, children=[w.leaver], text="Quillon Vexbridge climbed."
    )
    w.own_photo = photo_with_unique_bytes(
        setting=w.setting_a, uploaded_by=w.key_person, observation=w.own_entry, appears=[w.leaver]
    )
    w.group = f.observation(
        author=w.key_person,
        children=[w.leaver, w.other_child],
        text="Quillon and Yasmin built a den; Quillon's idea.",
        next_steps="Ask Vexbridge family about dens.",
    )
    w.group_photo = photo_with_unique_bytes(
        setting=w.setting_a,
        uploaded_by=w.key_person,
        observation=w.group,
        appears=[w.leaver, w.other_child],
    )
    w.yasmin_photo = photo_with_unique_bytes(
        setting=w.setting_a, uploaded_by=w.key_person, observation=w.group, appears=[w.other_child]
    )
    Comment.objects.create(observation=w.group, child=w.leaver, author=w.leaver_parent, text="Q!")
    w.yasmin_reply = Comment.objects.create(
        observation=w.group, child=w.other_child, author=w.other_parent, text="Lovely den"
    )
    w.draft = CaptureDraft.objects.create(
        author=w.key_person,
        setting=w.setting_a,
        kind="observation",
        client_ref="abc",
        text="Quillon painting",
        child_ids=[str(w.leaver.pk)],
    )
    return w


def test_child_is_kept_through_day_30(purge_world):
    w = purge_world
    Leaving.objects.filter(child=w.leaver).update(
        leaving_on=timezone.localdate() - timedelta(days=30)
    )
    assert purge.purge_expired() == []
    assert Child.objects.filter(pk=w.leaver.pk).exists()


def test_purge_deletes_everything_of_the_child_and_keeps_the_group_entry_for_others(
    purge_world,
):
    w = purge_world
    gone_files = [
        f"{item.storage_prefix}/{name}"
        for item in (w.own_photo, w.group_photo)
        for name in ("original.jpg", "display.jpg", "thumb.webp")
    ]
    (record,) = purge.purge_expired()
    assert not Child.objects.filter(pk=w.leaver.pk).exists()
    assert not ParentLink.objects.filter(child_id=w.leaver.pk).exists()
    assert not Observation.objects.filter(pk=w.own_entry.pk).exists()
    assert not MediaItem.objects.filter(pk__in=[w.own_photo.pk, w.group_photo.pk]).exists()
    assert not any(default_storage.exists(name) for name in gone_files)
    assert not CaptureDraft.objects.filter(pk=w.draft.pk).exists()
    assert not Comment.objects.filter(child_id=w.leaver.pk).exists()
    # Yasmin's journal is whole: the entry, her own photo, her family's reply.
    group = Observation.objects.get(pk=w.group.pk)
    assert list(
        ObservationChild.objects.filter(observation=group).values_list("child", flat=True)
    ) == [w.other_child.pk]
    assert group.text == "a friend and Yasmin built a den; a friend's idea."
    assert "Vexbridge" not in group.next_steps
    assert list(group.media.all()) == [w.yasmin_photo]
    assert default_storage.exists(f"{w.yasmin_photo.storage_prefix}/display.jpg")
    assert Comment.objects.filter(pk=w.yasmin_reply.pk).exists()
    assert record.counts["entries"] == 1
    assert record.counts["group_entries_changed"] == 1
    assert record.counts["photos_and_videos"] == 2
    assert record.counts["files"] == 6
    assert record.counts["replies"] == 1
    assert record.counts["unsent_drafts"] == 1
    # Idempotent: nothing more to do.
    assert purge.purge_expired() == []
    assert DeletionRecord.objects.count() == 1


def test_an_interrupted_purge_is_completed_by_the_next_run(purge_world, monkeypatch):
    w = purge_world

    def power_cut(plan, files_deleted):
        raise RuntimeError("power cut")

    monkeypatch.setattr(purge, "_delete_rows", power_cut)
    with pytest.raises(RuntimeError):
        purge.purge_expired()
    # Files went first; the rows are still there, so the next run finds the child.
    assert Child.objects.filter(pk=w.leaver.pk).exists()
    assert not default_storage.exists(f"{w.own_photo.storage_prefix}/display.jpg")
    monkeypatch.undo()
    (record,) = purge.purge_expired()
    assert not Child.objects.filter(pk=w.leaver.pk).exists()
    assert not MediaItem.objects.filter(pk=w.own_photo.pk).exists()
    assert record.counts["photos_and_videos"] == 2
    assert DeletionRecord.objects.count() == 1


def test_exports_of_the_child_are_deleted_too(purge_world):
    w = purge_world
    name = default_storage.save(f"exports/{secrets.token_hex(16)}.zip", ContentFile(b"zip"))
    KeepsakeExport.objects.create(
        child=w.leaver, requested_by=w.leaver_parent, status="ready", storage_name=name
    )
    (record,) = purge.purge_expired()
    assert not default_storage.exists(name)
    assert record.counts["exports"] == 1


def test_purge_command_prints_counts_without_personal_data(purge_world, capsys):
    call_command("purge_expired", "--as-of", timezone.localdate().isoformat())
    out = capsys.readouterr().out
    assert "1 child(ren) deleted" in out
    assert "Quillon" not in out and "Vexbridge" not in out
    assert str(purge_world.leaver.pk) not in out


def test_purge_as_of_an_earlier_date_deletes_nothing(purge_world, capsys):
    earlier = timezone.localdate() - timedelta(days=2)
    call_command("purge_expired", "--as-of", earlier.isoformat())
    assert Child.objects.filter(pk=purge_world.leaver.pk).exists()


def test_deletions_list_shows_counts_and_dates_only(purge_world, api):
    w = purge_world
    purge.purge_expired()
    response = api(w.manager).get(f"/settings/{w.setting_a.pk}/deletions")
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert set(item) == {"id", "deleted_at", "counts"}
    assert "Quillon" not in response.content.decode()
    assert api(w.key_person).get(f"/settings/{w.setting_a.pk}/deletions").status_code == 403
    assert api(w.other_manager).get(f"/settings/{w.setting_a.pk}/deletions").status_code == 404
    assert api(w.parent).get(f"/settings/{w.setting_a.pk}/deletions").status_code == 404


def test_the_worker_runs_the_purge_daily():
    from acorn.ops.schedule import JOBS

    jobs = {job.name: job for job in JOBS}
    assert jobs["purge_expired"].every == timedelta(days=1)


# --- Provable deletion: scan every byte of the database and of storage ---------------


def _files_under(root: Path):
    return [path for path in root.rglob("*") if path.is_file()]


def _database_files() -> list[Path]:
    name = Path(connection.settings_dict["NAME"])
    return [path for path in (name, Path(f"{name}-wal")) if path.exists()]


def _needles(w) -> list[bytes]:
    names = [w.leaver.first_name, w.leaver.last_name]
    needles = [n.encode() for n in names] + [n.encode("utf-16-le") for n in names]
    return needles + [c for item in (w.own_photo, w.group_photo) for c in item.contents]


@pytest.mark.django_db(transaction=True)
def test_after_a_purge_no_byte_of_the_child_remains_in_database_or_storage(purge_world, settings):
    w = purge_world
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database's files are scanned on SQLite")
    needles = _needles(w)
    # Before: the scan does find the child (so the scan itself works).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    everything = b"".join(
        p.read_bytes() for p in _database_files() + _files_under(settings.DATA_DIR)
    )
    assert all(needle in everything for needle in needles[:2] + needles[4:])

    purge.purge_expired()

    for path in _database_files() + _files_under(settings.DATA_DIR):
        content = path.read_bytes()
        found = [needle for needle in needles if needle in content]
        assert found == [], f"{path.name} still holds {found}"
    # The second child's journal is intact.
    assert Observation.objects.filter(pk=w.group.pk, links__child=w.other_child).exists()
    assert (
        b"".join(w.yasmin_photo.contents[:1])
        == default_storage.open(f"{w.yasmin_photo.storage_prefix}/original.jpg").read()
    )


def test_after_a_purge_nothing_of_the_child_remains_on_s3(world, bucket):  # noqa: F811
    w = world
    w.leaver = leaving_child(w.setting_a, w.key_person)
    entry = f.observation(author=w.key_person, children=[w.leaver, w.other_child])
    group_photo = photo_with_unique_bytes(
        setting=w.setting_a, uploaded_by=w.key_person, observation=entry, appears=[w.leaver]
    )
    kept = photo_with_unique_bytes(
        setting=w.setting_a, uploaded_by=w.key_person, observation=entry, appears=[w.other_child]
    )
    name = default_storage.save(f"exports/{secrets.token_hex(16)}.zip", ContentFile(b"EXPORT-Q"))
    KeepsakeExport.objects.create(child=w.leaver, requested_by=w.manager, storage_name=name)
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 7

    purge.purge_expired()

    remaining = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert len(remaining) == 3  # the other child's photo: original, display, thumbnail
    for key in remaining:
        content = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert not any(c in content for c in group_photo.contents + [b"EXPORT-Q"])
        assert key.startswith(kept.storage_prefix)

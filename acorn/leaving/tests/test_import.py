"""L-5: `import_keepsake` brings an export into a setting of another installation as a
transferred child. A round trip (export here, import into a fresh setting with its own
storage, export again) keeps every entry, reply, photo, video and shared report; bad
archives are refused with a clear message and leave nothing behind."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image, ImageChops, ImageStat

from acorn.accounts.models import Invitation
from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal.models import Comment, MediaAppearance, MediaItem, Observation
from acorn.leaving.models import ImportedReport, KeepsakeImport
from acorn.leaving.tests.test_keepsake import export_zip


@pytest.fixture
def keepsake(api, worker, source, tmp_path):
    """The parent's export, as a file on disk."""
    _status, archive = export_zip(api, worker, source.parent, source.child)
    path = tmp_path / "keepsake.zip"
    with zipfile.ZipFile(path, "w") as out:
        for name in archive.namelist():
            out.writestr(name, archive.read(name))
    return path


@pytest.fixture
def oak(db):
    """Another nursery, far away, with a cleared key person."""
    oak = f.SettingFactory(name="Oak Nursery")
    oak.manager = f.staff(oak, "manager", name="Olive Oak", email="olive@oak.test")
    oak.key_person = f.staff(oak, name="Ken Keeper", email="ken@oak.test")
    return oak


def run_import(setting, email, path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_keepsake",
        "--setting",
        str(setting.pk),
        "--key-person",
        email,
        str(path),
        stdout=out,
        stderr=err,
    )
    return out.getvalue().strip(), err.getvalue()


def stored_files(root: Path) -> set:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def similar(a: bytes, b: bytes) -> bool:
    """The same picture after re-encoding: same size, pixels within a JPEG's rounding."""
    with Image.open(io.BytesIO(a)) as one, Image.open(io.BytesIO(b)) as two:
        if one.size != two.size:
            return False
        difference = ImageChops.difference(one.convert("RGB"), two.convert("RGB"))
        return max(ImageStat.Stat(difference).mean) < 4


def comparable(document) -> dict:
    """What must survive the journey (ids and the moment of export are new each time)."""
    return {
        "child": {k: v for k, v in document["child"].items() if k != "portrait"},
        "entries": [
            {
                **{k: v for k, v in entry.items() if k not in ("id", "media", "replies")},
                "media": [{k: m[k] for k in ("kind", "mime")} for m in entry["media"]],
                "replies": [{k: v for k, v in r.items() if k != "id"} for r in entry["replies"]],
            }
            for entry in document["entries"]
            if entry["status"] == "published"
        ],
        "reports": document["reports"],
    }


def test_round_trip_into_another_setting_with_its_own_storage_keeps_everything(
    api, worker, source, keepsake, oak, settings, tmp_path
):
    w = source
    exported = zipfile.ZipFile(keepsake)
    document = json.loads(exported.read("journal.json"))
    assert document["child"]["portrait"] and len(document["reports"]) == 1
    # The other installation keeps its files somewhere else entirely.
    elsewhere = tmp_path / "elsewhere"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(elsewhere)},
        },
    }
    child_id, said = run_import(oak, "KEN@oak.test", keepsake)
    child = Child.objects.get(pk=child_id)
    assert (child.setting, child.key_person, child.status) == (oak, oak.key_person, "active")
    assert (child.first_name, child.last_name, child.date_of_birth) == (
        "Xander",
        "Young",
        w.child.date_of_birth,
    )
    assert not child.parent_links.exists()
    assert "Parents are not linked automatically" in said
    assert "1 contribution(s) from home that were never added" in said
    record = KeepsakeImport.objects.get(child=child)
    assert record.source_setting_name == "Acorn Tree Nursery"

    # Every entry, with its text, date, tags and author's name (a label, not an account).
    observations = Observation.objects.filter(links__child=child).order_by("observed_on")
    published = [e for e in document["entries"] if e["status"] == "published"]
    assert [o.text for o in observations] == [e["text"] for e in published]
    assert observations[0].text == w.own.text and "Yasmin" not in observations[1].text
    own = observations[0]
    assert (own.observed_on, own.areas, own.aspects, own.characteristics, own.next_steps) == (
        date(2026, 10, 2),
        ["EAD", "CL"],
        ["CL-S"],
        ["active_learning"],
        "Offer him chalk outside.",
    )
    assert {o.author_id for o in observations} == {None}
    assert [o.author_label for o in observations] == ["Kate Key", "Kate Key", "Pat Parent"]
    assert [o.by_parent for o in observations] == [False, False, True]
    assert {o.setting_id for o in observations} == {oak.pk}
    # History from elsewhere: nothing for Oak's leaders to review.
    from acorn.journal.selectors import review_list

    assert not review_list(oak.manager, oak).exists()
    replies = Comment.objects.filter(child=child).order_by("created_at")
    assert [(r.author_id, r.author_label, r.by_staff, r.text) for r in replies] == [
        (None, "Pat Parent", False, "He told us all about it!"),
        (None, "Kate Key", True, "He did!"),
    ]
    assert [r.created_at for r in replies] == [w.reply.created_at, w.staff_reply.created_at]

    # Every file arrived: each item was made from a file whose hash is the export's, and
    # was re-made by the pipeline into its own renditions in the other storage.
    exported_media = {n: exported.read(n) for n in exported.namelist() if n.startswith("media/")}
    assert sorted(record.media_sources.values()) == sorted(
        hashlib.sha256(data).hexdigest() for data in exported_media.values()
    )
    items = MediaItem.objects.filter(setting=oak)
    assert items.count() == 4 and {i.status for i in items} == {"ready"}
    assert {i.kind for i in items} == {"photo", "video"}
    for item in items:
        assert MediaAppearance.objects.filter(media=item, child=child).exists()
        source_hash = record.media_sources[str(item.pk)]
        original = next(
            d for d in exported_media.values() if hashlib.sha256(d).hexdigest() == source_hash
        )
        display = (elsewhere / item.storage_prefix / item.renditions["display"]).read_bytes()
        if item.kind == "photo":
            assert similar(display, original)
        else:
            assert display[4:8] == b"ftyp" and "poster" in item.renditions
    assert child.photo is not None and child.photo.observation is None
    assert all(p.parts[0] == "media" for p in stored_files(elsewhere))
    assert not stored_files(tmp_path / "media") & stored_files(elsewhere)

    # Shared reports come too, read-only; the draft never left.
    report = ImportedReport.objects.get(child=child)
    assert report.content == document["reports"][0]
    assert "Y.Z." in report.content["summary"] and "draft" not in json.dumps(report.content)

    # Exported again from the new setting, it says what it said the first time.
    _status, again = export_zip(api, worker, oak.manager, child)
    second = json.loads(again.read("journal.json"))
    assert comparable(second) == comparable(document)
    assert second["setting"]["name"] == "Oak Nursery"
    for entry in second["entries"]:
        for media in entry["media"]:
            assert media["file"] in again.namelist()


def test_the_imported_journal_reads_as_any_other(web, source, keepsake, oak):
    child_id, _ = run_import(oak, oak.key_person.email, keepsake)
    page = web(oak.key_person).get(f"/children/{child_id}/journal")
    assert page.status_code == 200
    assert b"Xander painted a sun." in page.content and b"Kate Key" in page.content
    # The profile says where it came from and shows the shared reports, read-only.
    profile = web(oak.key_person).get(f"/children/{child_id}/").content.decode()
    assert "Came from Acorn Tree Nursery" in profile
    assert "Baseline assessment" in profile and "We&#x27;re so proud of him." in profile
    assert "Talks in long sentences." in profile
    # Nobody of the first setting, nor a family at Oak, reaches the copy.
    oak_parent = f.parent_of(f.ChildFactory(setting=oak, key_person=oak.key_person))
    for outsider in (source.parent, source.manager, source.key_person, oak_parent):
        assert web(outsider).get(f"/children/{child_id}/journal").status_code == 404
        assert web(outsider).get(f"/children/{child_id}/").status_code == 404


def test_importing_the_same_keepsake_twice_is_refused(source, keepsake, oak):
    child_id, _ = run_import(oak, oak.key_person.email, keepsake)
    files = stored_files(Path(default_storage.location))
    with pytest.raises(CommandError, match="already imported into Oak Nursery"):
        run_import(oak, oak.key_person.email, keepsake)
    assert Child.objects.filter(setting=oak).count() == 1
    assert stored_files(Path(default_storage.location)) == files
    assert child_id in str(KeepsakeImport.objects.get().child_id)


def rewrite(path: Path, out: Path, *, drop=(), replace=None, add=None, journal=None) -> Path:
    """A copy of the keepsake with members dropped, replaced or added, or journal.json
    changed by `journal(document)`."""
    source = zipfile.ZipFile(path)
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name in drop:
                continue
            data = (replace or {}).get(name, source.read(name))
            if name == "journal.json" and journal is not None:
                document = json.loads(data)
                journal(document)
                data = json.dumps(document).encode()
            target.writestr(name, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out


@pytest.fixture
def nothing_imported(oak):
    """Checks, after a refusal, that no row and no stored file of an import remain."""
    root = Path(default_storage.location)
    before = stored_files(root)
    rows = (Child.objects.count(), MediaItem.objects.count(), Observation.objects.count())

    def check():
        assert stored_files(root) == before
        assert (
            Child.objects.count(),
            MediaItem.objects.count(),
            Observation.objects.count(),
        ) == rows
        assert not KeepsakeImport.objects.exists() and not ImportedReport.objects.exists()
        assert not Child.objects.filter(setting=oak).exists()

    return check


def media_names(path):
    return [n for n in zipfile.ZipFile(path).namelist() if n.startswith("media/")]


def test_a_missing_file_is_refused(keepsake, oak, tmp_path, nothing_imported):
    missing = media_names(keepsake)[-1]
    bad = rewrite(keepsake, tmp_path / "bad.zip", drop={missing})
    with pytest.raises(CommandError, match=f"names {missing}, which isn't in the zip"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()


def test_a_version_this_acorn_does_not_know_is_refused(keepsake, oak, tmp_path, nothing_imported):
    bad = rewrite(keepsake, tmp_path / "bad.zip", journal=lambda d: d.update(version=2))
    with pytest.raises(CommandError, match="format version 2; this Acorn reads version 1"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()


def test_journal_json_that_breaks_the_schema_is_refused(keepsake, oak, tmp_path, nothing_imported):
    bad = rewrite(keepsake, tmp_path / "bad.zip", journal=lambda d: d["entries"][0].pop("text"))
    with pytest.raises(CommandError, match="doesn't follow the keepsake format at entries/0"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()


@pytest.mark.parametrize(
    "name", ["../../evil.txt", "/etc/evil.txt", "media/../../evil.jpg", "media\\..\\evil.jpg"]
)
def test_a_path_that_climbs_out_is_refused(keepsake, oak, tmp_path, nothing_imported, name):
    bad = rewrite(keepsake, tmp_path / "bad.zip", add={name: b"x"})
    with pytest.raises(CommandError, match="unsafe path"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()
    assert not list(tmp_path.parent.rglob("evil*"))


def test_a_link_inside_the_zip_is_refused(keepsake, oak, tmp_path, nothing_imported):
    bad = rewrite(keepsake, tmp_path / "bad.zip")
    with zipfile.ZipFile(bad, "a") as archive:
        link = zipfile.ZipInfo("media/00000000-0000-0000-0000-000000000000.jpg")
        link.external_attr = (0o120777 << 16) | 0
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(CommandError, match="has a link"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()


def test_text_renamed_jpg_is_refused_and_files_already_processed_are_removed(
    keepsake, oak, tmp_path, nothing_imported
):
    # The last photo: the ones before it have been through the pipeline and stored by then.
    document = json.loads(zipfile.ZipFile(keepsake).read("journal.json"))
    last = [m["file"] for e in document["entries"] for m in e["media"] if m["kind"] == "photo"][-1]
    bad = rewrite(keepsake, tmp_path / "bad.zip", replace={last: b"Not a photo at all, honest."})
    with pytest.raises(CommandError, match=f"{last} was refused"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()


def test_a_video_listed_as_a_photo_is_refused(keepsake, oak, tmp_path, nothing_imported):
    def lie(document):
        for entry in document["entries"]:
            for media in entry["media"]:
                media["kind"] = "photo"

    bad = rewrite(keepsake, tmp_path / "bad.zip", journal=lie)
    with pytest.raises(CommandError, match="is listed as a photo but is a video"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()


def test_something_that_is_not_a_zip_is_refused(oak, tmp_path, nothing_imported):
    bad = tmp_path / "keepsake.zip"
    bad.write_bytes(b"PK but not really")
    with pytest.raises(CommandError, match="isn't a zip file"):
        run_import(oak, oak.key_person.email, bad)
    nothing_imported()


def test_an_oversized_journal_is_refused_without_reading_it_all(
    keepsake, oak, tmp_path, nothing_imported, monkeypatch
):
    from acorn.leaving import importer

    monkeypatch.setattr(importer, "MAX_JOURNAL_BYTES", 100)
    with pytest.raises(CommandError, match="journal.json is too big"):
        run_import(oak, oak.key_person.email, keepsake)
    nothing_imported()


def test_the_key_person_must_be_cleared_staff_of_that_setting(
    world, keepsake, oak, nothing_imported
):
    uncleared = f.staff(oak, name="Una Cleared", email="una@oak.test", cleared=False)
    # A parent at Oak who is also (uncleared) staff there; staff of another setting; a
    # parent; someone with no account here (an invitation not accepted makes no staff).
    dual = f.staff(oak, name="Dee Dual", email="dee@oak.test", cleared=False)
    f.parent_of(f.ChildFactory(setting=oak, key_person=oak.key_person), user=dual)
    # Bea (Birch's manager) has an invitation to Oak she hasn't accepted.
    invited = world.other_manager
    Invitation.objects.create(
        token_hash="0" * 64,
        email=invited.email,
        name=invited.name,
        setting=oak,
        role="practitioner",
        expires_at=timezone.now() + timedelta(days=7),
    )
    # Kate is cleared at Acorn Tree and works at Oak too, where her checks aren't recorded.
    f.MembershipFactory(setting=oak, user=world.key_person)
    for email, says in (
        (world.key_person.email, "suitability checks for Oak Nursery"),
        (uncleared.email, "suitability checks"),
        (dual.email, "suitability checks"),
        (world.other_manager.email, "isn't staff of Oak Nursery"),
        (world.parent.email, "isn't staff of Oak Nursery"),
        ("nobody@oak.test", "isn't staff of Oak Nursery"),
        (invited.email, "isn't staff of Oak Nursery"),
    ):
        with pytest.raises(CommandError, match=says):
            run_import(oak, email, keepsake)
    Child.objects.filter(setting=oak).delete()  # the child Dee is a parent of
    nothing_imported()


SET_UP_OAK = """
from acorn.core.tests import factories as f
oak = f.SettingFactory(name="Oak Nursery")
f.staff(oak, name="Ken Keeper", email="ken@oak.test")
print(oak.pk)
"""

DUMP = """
import hashlib, json
from django.core.files.storage import default_storage
from acorn.children.models import Child
from acorn.journal.models import Comment, Observation
from acorn.leaving.models import ImportedReport, KeepsakeImport

child = Child.objects.get(pk={child_id!r})
record = KeepsakeImport.objects.get(child=child)
def stored(item):
    return {{name: hashlib.sha256(default_storage.open(f"{{item.storage_prefix}}/{{file}}").read()).hexdigest()
            for name, file in item.renditions.items()}}
print(json.dumps({{
    "child": [child.first_name, child.last_name, str(child.date_of_birth), child.key_person.email],
    "source": record.source_setting_name,
    "portrait": stored(child.photo),
    "entries": [
        {{"text": o.text, "observed_on": str(o.observed_on), "author": o.author_label,
          "areas": o.areas, "aspects": o.aspects, "characteristics": o.characteristics,
          "next_steps": o.next_steps, "by_parent": o.by_parent,
          "media": [[m.kind, record.media_sources[str(m.pk)], stored(m)] for m in o.media.all()],
          "replies": [[c.author_label, c.by_staff, c.text, c.created_at.isoformat()]
                      for c in Comment.objects.filter(observation=o, child=child)]}}
        for o in Observation.objects.filter(links__child=child).order_by("observed_on")
    ],
    "reports": [r.content for r in ImportedReport.objects.filter(child=child)],
}}))
"""


def test_round_trip_into_another_installation(keepsake, tmp_path):
    """A separate installation (its own SQLite database and data folder, run as the
    operator would with manage.py) imports the export; everything is there."""
    import subprocess

    from acorn.ops.tests.installation import fresh_installation

    env, manage = fresh_installation(tmp_path / "other")

    def run(*args, check=True):
        return subprocess.run(
            [*manage, *args], env=env, capture_output=True, text=True, timeout=300, check=check
        )

    oak_id = run("shell", "--no-imports", "-c", SET_UP_OAK).stdout.strip()
    done = run(
        "import_keepsake", "--setting", oak_id, "--key-person", "ken@oak.test", str(keepsake)
    )
    child_id = done.stdout.strip()
    assert "Imported Xander Young into Oak Nursery" in done.stderr
    assert "Parents are not linked automatically" in done.stderr
    dumped = json.loads(run("shell", "--no-imports", "-c", DUMP.format(child_id=child_id)).stdout)

    archive = zipfile.ZipFile(keepsake)
    document = json.loads(archive.read("journal.json"))
    published = [e for e in document["entries"] if e["status"] == "published"]
    assert dumped["child"] == [
        "Xander",
        "Young",
        document["child"]["date_of_birth"],
        "ken@oak.test",
    ]
    assert dumped["source"] == "Acorn Tree Nursery"
    assert len(dumped["entries"]) == len(published) == 3
    for there, here in zip(dumped["entries"], published, strict=True):
        assert there["text"] == here["text"] and there["observed_on"] == here["observed_on"]
        assert there["author"] == here["author"] and there["by_parent"] == here["by_parent"]
        assert there["areas"] == here["areas"] and there["aspects"] == here["aspects"]
        assert there["characteristics"] == here["characteristics"]
        assert there["next_steps"] == here["next_steps"]
        assert [r[:3] for r in there["replies"]] == [
            [r["author"], r["by_staff"], r["text"]] for r in here["replies"]
        ]
        assert [r[3] for r in there["replies"]] == [
            datetime.fromisoformat(r["created_at"]).astimezone(UTC).isoformat()
            for r in here["replies"]
        ]
        # Each photo and video was made from exactly the exported file (by its hash), and
        # its renditions are stored in the other installation's own data folder.
        assert [[m[0], m[1]] for m in there["media"]] == [
            [m["kind"], hashlib.sha256(archive.read(m["file"])).hexdigest()] for m in here["media"]
        ]
        for _kind, _source, renditions in there["media"]:
            assert "display" in renditions
    assert dumped["reports"] == document["reports"]
    assert dumped["portrait"]["display"]
    assert (tmp_path / "other" / "media").is_dir()

    again = run(
        "import_keepsake",
        "--setting",
        oak_id,
        "--key-person",
        "ken@oak.test",
        str(keepsake),
        check=False,
    )
    assert again.returncode != 0 and "already imported into Oak Nursery" in again.stderr
    assert again.stdout == ""

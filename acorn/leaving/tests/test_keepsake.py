"""L-3, L-5: the keepsake export. Its contents are checked against the database: every
entry, reply and file the parent may see, and nothing of another family; other children
are named by initials and their unconsented faces come obscured, as on the journal page."""

import io
import json
import secrets
import zipfile
from datetime import timedelta

import pypdfium2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal.models import (
    Comment,
    MediaAppearance,
    MediaItem,
    ObscuredFace,
    SharedRendition,
)
from acorn.journal.selectors import comments_for, journal_for
from acorn.leaving.models import KeepsakeExport, Leaving
from acorn.leaving.rules import one_month_after
from acorn.leaving.tests.test_leaving_and_grace import at


def jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(w, *, observation, appears, colour, shared=None):
    """A ready photo whose every stored file has its own bytes (so the zip can be checked
    byte for byte); `shared` adds a face-obscured shared rendition."""
    prefix = f"media/{secrets.token_hex(16)}"
    files = {
        "original.jpg": jpeg(colour),
        "display.jpg": jpeg(tuple(c // 2 for c in colour)),
        "thumb.jpg": jpeg(tuple(c // 3 for c in colour)),
    }
    renditions = {"display": "display.jpg", "thumb": "thumb.jpg"}
    if shared:
        files["shared_display.jpg"] = jpeg(shared)
    for name, content in files.items():
        default_storage.save(f"{prefix}/{name}", ContentFile(content))
    item = MediaItem.objects.create(
        setting=observation.setting,
        uploaded_by=w.key_person,
        observation=observation,
        kind=MediaItem.Kind.PHOTO,
        mime="image/jpeg",
        status=MediaItem.Status.READY,
        storage_prefix=prefix,
        original_name="original.jpg",
        renditions=renditions,
        width=40,
        height=30,
    )
    MediaAppearance.objects.bulk_create(MediaAppearance(media=item, child=c) for c in appears)
    if shared:
        copy = SharedRendition.objects.create(
            media=item, renditions={"display": "shared_display.jpg"}
        )
        without_consent = Child.objects.filter(pk__in=[c.pk for c in appears], image_consent=False)
        ObscuredFace.objects.bulk_create(
            ObscuredFace(media=item, rendition=copy, child=c) for c in without_consent
        )
    item.files = {name: content for name, content in files.items()}
    return item


def video(w, *, observation):
    """A ready video (its files are stand-ins: the pipeline has its own tests)."""
    prefix = f"media/{secrets.token_hex(16)}"
    files = {
        "original.mp4": b"original video " + secrets.token_bytes(8),
        "display.mp4": b"display video " + secrets.token_bytes(8),
        "poster.jpg": jpeg((250, 200, 0)),
        "thumb.webp": b"thumb " + secrets.token_bytes(8),
    }
    for name, content in files.items():
        default_storage.save(f"{prefix}/{name}", ContentFile(content))
    item = MediaItem.objects.create(
        setting=observation.setting,
        uploaded_by=w.key_person,
        observation=observation,
        position=1,
        kind=MediaItem.Kind.VIDEO,
        mime="video/mp4",
        status=MediaItem.Status.READY,
        storage_prefix=prefix,
        original_name="original.mp4",
        renditions={"display": "display.mp4", "poster": "poster.jpg", "thumb": "thumb.webp"},
    )
    MediaAppearance.objects.create(media=item, child=w.child)
    item.files = files
    return item


@pytest.fixture
def journals(world):
    w = world
    # Yasmin's family hasn't consented to photos being shared with other families.
    Child.objects.filter(pk=w.other_child.pk).update(image_consent=False)
    w.own = f.observation(author=w.key_person, children=[w.child], text="Xander painted a sun.")
    w.own_photo = photo(w, observation=w.own, appears=[w.child], colour=(200, 40, 40))
    w.group = f.observation(
        author=w.key_person,
        children=[w.child, w.other_child],
        text="Xander and Yasmin Zed built a tall tower together.",
    )
    # Yasmin's face is obscured in the shared rendition: that is what Xander's family gets.
    w.group_photo = photo(
        w,
        observation=w.group,
        appears=[w.child, w.other_child],
        colour=(40, 200, 40),
        shared=(10, 10, 250),
    )
    # A group photo with Yasmin not obscured: not for Xander's family at all.
    w.unobscured = photo(
        w, observation=w.group, appears=[w.child, w.other_child], colour=(240, 240, 10)
    )
    w.video = video(w, observation=w.own)
    w.reply = Comment.objects.create(
        observation=w.group, child=w.child, author=w.parent, text="He told us all about it!"
    )
    w.other_reply = Comment.objects.create(
        observation=w.group, child=w.other_child, author=w.other_parent, text="Yasmin loved it."
    )
    w.theirs = f.observation(author=w.key_person, children=[w.other_child], text="Yasmin sang.")
    w.their_photo = photo(w, observation=w.theirs, appears=[w.other_child], colour=(9, 9, 9))
    w.far = f.observation(author=w.other_manager, children=[w.far_child], text="Zoe ran.")
    return w


def export_zip(api, worker, user, child) -> tuple[dict, zipfile.ZipFile]:
    with worker():
        started = api(user).post(f"/children/{child.pk}/exports")
    assert started.status_code == 201, started.content
    export = started.json()
    assert export["status"] in ("preparing", "ready")
    status = api(user).get(f"/exports/{export['id']}")
    assert status.status_code == 200
    assert status.json()["status"] == "ready"  # tests run the worker's tasks at once
    content = api(user).get(f"/exports/{export['id']}/content")
    assert content.status_code == 200, content.content
    assert content["Content-Type"] == "application/zip"
    body = b"".join(content.streaming_content)
    assert status.json()["size"] == len(body)
    return status.json(), zipfile.ZipFile(io.BytesIO(body))


def test_parents_keepsake_holds_every_entry_reply_and_photo_they_may_see(api, worker, journals):
    w = journals
    _, archive = export_zip(api, worker, w.parent, w.child)
    document = json.loads(archive.read("journal.json"))
    assert document["format"] == "acorn-keepsake" and document["version"] == 1
    assert document["child"]["first_name"] == "Xander"

    expected = list(journal_for(w.parent, w.child))
    assert {e["id"] for e in document["entries"]} == {str(o.pk) for o in expected}
    assert {e["id"] for e in document["entries"]} == {str(w.own.pk), str(w.group.pk)}
    replies = [r for e in document["entries"] for r in e["replies"]]
    expected_replies = [
        c for o in expected for c in comments_for(w.parent, o) if c.child_id == w.child.pk
    ]
    assert {r["id"] for r in replies} == {str(c.pk) for c in expected_replies} == {str(w.reply.pk)}

    media_files = sorted(n for n in archive.namelist() if n.startswith("media/"))
    listed = sorted(m["file"] for e in document["entries"] for m in e["media"])
    assert media_files == listed
    assert len(media_files) == 3
    contents = {archive.read(name) for name in media_files}
    assert contents == {
        w.own_photo.files["display.jpg"],
        w.video.files["display.mp4"],
        w.group_photo.files["shared_display.jpg"],
    }
    assert any(name.endswith(".mp4") for name in media_files)
    group_media = next(e for e in document["entries"] if e["id"] == str(w.group.pk))["media"]
    assert group_media[0]["obscured"] is True


def test_keepsake_has_nothing_of_another_family(api, worker, journals):
    w = journals
    _, archive = export_zip(api, worker, w.parent, w.child)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for forbidden in (
        w.group_photo.files["original.jpg"],
        w.group_photo.files["display.jpg"],
        *w.unobscured.files.values(),
        *w.their_photo.files.values(),
    ):
        assert forbidden not in everything
    document = archive.read("journal.json").decode()
    for word in ("Yasmin", "Zed", "Yasmin loved it", "Yasmin sang", "Zoe"):
        assert word not in document
    # Yasmin is named by her initials, as on the journal page.
    group = next(e for e in json.loads(document)["entries"] if e["id"] == str(w.group.pk))
    assert group["text"].startswith("Xander and Y")
    pdf = pypdfium2.PdfDocument(archive.read("journal.pdf"))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Xander painted a sun." in text
    assert "He told us all about it!" in text
    assert "Yasmin" not in text and "Zed" not in text


def test_keepsake_book_is_a_printable_pdf(api, worker, journals, tmp_path):
    w = journals
    _, archive = export_zip(api, worker, w.parent, w.child)
    pdf = pypdfium2.PdfDocument(archive.read("journal.pdf"))
    assert len(pdf) >= 2
    image = pdf[0].render(scale=1).to_pil()
    image.save(tmp_path / "page1.png")
    pdf[1].render(scale=1).to_pil().save(tmp_path / "page2.png")
    assert "Xander Young's learning journal" in pdf[0].get_textpage().get_text_range()


def test_parent_of_another_child_and_other_settings_staff_get_404(api, worker, journals):
    w = journals
    for outsider in (w.other_parent, w.other_manager, w.far_parent):
        assert api(outsider).post(f"/children/{w.child.pk}/exports").status_code == 404
    export = api(w.parent).post(f"/children/{w.child.pk}/exports").json()
    for outsider in (w.other_parent, w.other_manager, w.manager, w.key_person):
        assert api(outsider).get(f"/exports/{export['id']}").status_code == 404
        assert api(outsider).get(f"/exports/{export['id']}/content").status_code == 404
    assert KeepsakeExport.objects.count() == 1


def test_practitioner_cannot_export_a_journal(api, worker, journals):
    w = journals
    response = api(w.key_person).post(f"/children/{w.child.pk}/exports")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not KeepsakeExport.objects.exists()


def test_session_leaders_export_is_a_subject_access_request_due_in_a_month(api, worker, journals):
    w = journals
    status, archive = export_zip(api, worker, w.manager, w.child)
    export = KeepsakeExport.objects.get(pk=status["id"])
    assert export.subject_access is True
    assert export.due_on == one_month_after(timezone.localdate())
    # The zip goes to the family, so it holds what the family sees, not the leader's view:
    # Yasmin's photos only as the family's blurred copy, her name as initials.
    contents = {archive.read(n) for n in archive.namelist() if n.startswith("media/")}
    assert w.group_photo.files["shared_display.jpg"] in contents
    for forbidden in (*w.unobscured.files.values(), w.group_photo.files["display.jpg"]):
        assert forbidden not in contents
    document = archive.read("journal.json").decode()
    for word in ("Yasmin", "Zed", "Yasmin loved it", "Yasmin sang"):
        assert word not in document
    parent_export = KeepsakeExport.objects.filter(requested_by=w.parent)
    assert not parent_export.exists()


def test_parent_can_export_on_day_30_of_the_grace_period_and_not_on_day_31(api, worker, journals):
    w = journals
    left_on = timezone.localdate() - timedelta(days=1)
    Leaving.objects.create(child=w.child, leaving_on=left_on, destination_name="Oak Primary")
    Child.objects.filter(pk=w.child.pk).update(status=Child.Status.ARCHIVED)
    with at(left_on + timedelta(days=30)):
        status, archive = export_zip(api, worker, w.parent, w.child)
        assert "journal.pdf" in archive.namelist()
    with at(left_on + timedelta(days=31)):
        assert api(w.parent).post(f"/children/{w.child.pk}/exports").status_code == 404
        assert api(w.parent).get(f"/exports/{status['id']}").status_code == 404
        assert api(w.parent).get(f"/exports/{status['id']}/content").status_code == 404


def test_parent_starts_a_keepsake_from_the_journal_page_and_downloads_it(web, worker, journals):
    w = journals
    client = web(w.parent)
    page = client.get(f"/children/{w.child.pk}/journal")
    assert b"Download a keepsake" in page.content
    with worker():
        started = client.post(f"/children/{w.child.pk}/keepsake")
    assert started.status_code == 302
    progress = client.get(started.url)
    assert b"keepsake is ready" in progress.content
    export = KeepsakeExport.objects.get()
    download = client.get(f"/keepsakes/{export.pk}/download")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    assert web(w.other_parent).get(started.url).status_code == 404


def test_keepsake_journal_json_follows_the_documented_schema(api, worker, journals):
    from pathlib import Path

    import jsonschema

    w = journals
    _, archive = export_zip(api, worker, w.parent, w.child)
    schema = json.loads(
        (Path(__file__).resolve().parents[3] / "docs/keepsake-journal.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(archive.read("journal.json")), schema)


def test_asking_twice_while_a_keepsake_is_being_made_gives_the_same_one(api, journals):
    w = journals
    first = api(w.parent).post(f"/children/{w.child.pk}/exports").json()
    second = api(w.parent).post(f"/children/{w.child.pk}/exports").json()
    assert first["id"] == second["id"] and second["status"] == "preparing"
    assert KeepsakeExport.objects.count() == 1


def test_each_familys_keepsake_has_the_group_photo_as_their_journal_shows_it(
    world, api, worker, tmp_path, django_capture_on_commit_callbacks
):
    """A real group photo with Yasmin and Will (both without image consent) marked: each
    family's keepsake holds the copy with their own child as they are and the other
    obscured (in the zip and in the book), never the original (issue 16)."""
    from acorn.journal.tests import families

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    w = families.two_without_consent(world, api, tmp_path, run)
    for parent, child, clear, hidden in (
        (w.parent, w.child, [w.child], [w.other_child, w.will]),
        (w.other_parent, w.other_child, [w.child, w.other_child], [w.will]),
        (w.will_parent, w.will, [w.child, w.will], [w.other_child]),
    ):
        _, archive = export_zip(api, worker, parent, child)
        photos = [n for n in archive.namelist() if n.startswith("media/")]
        assert photos == [f"media/{w.item.pk}.jpg"]
        zipped = archive.read(photos[0])
        assert zipped != w.original_display
        families.check_faces(w, zipped, clear=clear, hidden=hidden)
        entry = json.loads(archive.read("journal.json"))["entries"][0]
        assert entry["media"][0]["obscured"] is True
        book = pypdfium2.PdfDocument(archive.read("journal.pdf"))
        printed = [
            obj.get_bitmap().to_pil()
            for page in book
            for obj in page.get_objects()
            if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
        ]
        assert len(printed) == 1
        buffer = io.BytesIO()
        printed[0].convert("RGB").save(buffer, "PNG")
        families.check_faces(w, buffer.getvalue(), clear=clear, hidden=hidden)

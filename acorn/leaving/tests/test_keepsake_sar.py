"""Issue 11 (C-1, C-2, C-4): a session leader's keepsake answers a subject access request
and goes to the family, so it is built as the child's own family sees the journal, never
as the leader does: other children by initials, group photos as the family's shared
rendition or not at all, only the family's own replies, no staff drafts or feedback."""

import json
import secrets

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal.models import (
    Comment,
    MediaAppearance,
    MediaItem,
    ObscuredFace,
    SharedRendition,
)
from acorn.leaving.tests.test_keepsake import export_zip, jpeg


def group_photo(w, *, observation, appears, colour, obscured=None):
    """A ready photo; `obscured` adds a shared rendition in which those children's faces
    are marked and blurred. Every stored file has its own bytes."""
    prefix = f"media/{secrets.token_hex(16)}"
    files = {
        "original.jpg": jpeg(colour),
        "display.jpg": jpeg(tuple(c // 2 for c in colour)),
        "thumb.jpg": jpeg(tuple(c // 3 for c in colour)),
    }
    if obscured is not None:
        files["shared_display.jpg"] = jpeg(tuple(255 - c for c in colour))
        files["shared_thumb.jpg"] = jpeg(tuple(255 - c // 2 for c in colour))
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
        renditions={"display": "display.jpg", "thumb": "thumb.jpg"},
        width=40,
        height=30,
    )
    MediaAppearance.objects.bulk_create(MediaAppearance(media=item, child=c) for c in appears)
    if obscured is not None:
        copy = SharedRendition.objects.create(
            media=item, renditions={"display": "shared_display.jpg", "thumb": "shared_thumb.jpg"}
        )
        ObscuredFace.objects.bulk_create(
            ObscuredFace(media=item, rendition=copy, child=c) for c in obscured
        )
    item.files = files
    return item


@pytest.fixture
def sar(world):
    w = world
    # Oscar's family consented to photos; Yasmin's and Quentin's did not.
    w.oscar = f.ChildFactory(
        setting=w.setting_a, first_name="Oscar", last_name="Orchard", key_person=w.key_person
    )
    w.oscar_parent = f.parent_of(w.oscar, email="oscar-parent@a.test")
    w.quentin = f.ChildFactory(
        setting=w.setting_a, first_name="Quentin", last_name="Quill", key_person=w.key_person
    )
    w.quentin_parent = f.parent_of(w.quentin, email="quentin-parent@a.test", consent=False)
    Child.objects.filter(pk__in=[w.other_child.pk, w.quentin.pk]).update(image_consent=False)
    Child.objects.filter(pk=w.oscar.pk).update(image_consent=True)
    w.group = f.observation(
        author=w.key_person,
        children=[w.child, w.oscar, w.other_child, w.quentin],
        text="Xander, Oscar Orchard, Yasmin Zed and Quentin Quill made soup.",
        next_steps="Oscar and Quentin to help Xander pour.",
    )
    w.group.review_feedback = "Lovely detail about Quentin's spoon."
    w.group.save(update_fields=["review_feedback"])
    # (a) Oscar has consent: the photo is whole.
    w.with_oscar = group_photo(
        w, observation=w.group, appears=[w.child, w.oscar], colour=(200, 60, 60)
    )
    # (b) Yasmin has no consent and her face is marked: Xander's family's blurred copy.
    w.with_yasmin = group_photo(
        w,
        observation=w.group,
        appears=[w.child, w.other_child],
        colour=(60, 200, 60),
        obscured=[w.other_child],
    )
    # (c) Quentin has no consent and no face marked: no copy for anyone, so left out.
    w.with_quentin = group_photo(
        w, observation=w.group, appears=[w.child, w.quentin], colour=(60, 60, 200)
    )
    # A copy blurring Yasmin alone won't do when Quentin can be seen too.
    w.with_both = group_photo(
        w,
        observation=w.group,
        appears=[w.child, w.other_child, w.quentin],
        colour=(220, 220, 40),
        obscured=[w.other_child],
    )
    w.reply = Comment.objects.create(
        observation=w.group, child=w.child, author=w.parent, text="Oscar came for tea after!"
    )
    w.staff_reply = Comment.objects.create(
        observation=w.group, child=w.child, author=w.key_person, text="Xander stirred it well."
    )
    w.oscar_reply = Comment.objects.create(
        observation=w.group, child=w.oscar, author=w.oscar_parent, text="Oscar loves soup."
    )
    w.from_home = f.observation(
        author=w.parent,
        children=[w.child],
        text="Xander and Yasmin Zed played at the park.",
        status="pending",
        by_parent=True,
    )
    w.draft = f.observation(
        author=w.manager,
        children=[w.child],
        text="Draft: Xander upset after Quentin Quill took his spade.",
        status="draft",
    )
    return w


def _same(document):
    return {k: v for k, v in document.items() if k != "exported_at"}


def _media(archive) -> dict:
    return {n: archive.read(n) for n in archive.namelist() if n.startswith("media/")}


def test_a_leaders_keepsake_is_the_journal_as_the_childs_family_sees_it(api, worker, sar):
    w = sar
    _, archive = export_zip(api, worker, w.manager, w.child)
    document = json.loads(archive.read("journal.json"))
    group = next(e for e in document["entries"] if e["id"] == str(w.group.pk))

    # C-4: other children by initials, the child's own name as written.
    assert group["text"] == "Xander, O.O., Y.Z. and Q.Q. made soup."
    assert group["next_steps"] == "O.O. and Q.Q. to help Xander pour."
    # Only Xander's family's thread; staff feedback never travels.
    assert [r["id"] for r in group["replies"]] == [str(w.reply.pk), str(w.staff_reply.pk)]
    assert group["replies"][0]["text"] == "O.O. came for tea after!"
    raw = archive.read("journal.json").decode()
    for word in ("Oscar", "Orchard", "Yasmin", "Quentin", "Quill", "spoon", "spade"):
        assert word not in raw
    # Published entries and the family's own contribution; not the leader's draft.
    assert {e["id"] for e in document["entries"]} == {str(w.group.pk), str(w.from_home.pk)}

    media = _media(archive)
    by_item = {m["file"]: m for m in group["media"]}
    # (a) whole, as the family's journal shows it.
    assert media[f"media/{w.with_oscar.pk}.jpg"] == w.with_oscar.files["display.jpg"]
    assert by_item[f"media/{w.with_oscar.pk}.jpg"]["obscured"] is False
    # (b) the family's stored shared rendition, never the original or its display copy.
    assert media[f"media/{w.with_yasmin.pk}.jpg"] == w.with_yasmin.files["shared_display.jpg"]
    assert by_item[f"media/{w.with_yasmin.pk}.jpg"]["obscured"] is True
    # (c) no copy hides Quentin: the photo is left out.
    assert f"media/{w.with_quentin.pk}.jpg" not in media
    assert f"media/{w.with_both.pk}.jpg" not in media
    assert len(media) == 2
    everything = b"".join(archive.read(n) for n in archive.namelist())
    for item in (w.with_yasmin, w.with_quentin, w.with_both):
        for name in ("original.jpg", "display.jpg", "thumb.jpg"):
            assert item.files[name] not in everything


def test_the_parents_keepsake_and_the_leaders_hold_the_same(api, worker, sar):
    w = sar
    _, leaders = export_zip(api, worker, w.manager, w.child)
    _, parents = export_zip(api, worker, w.parent, w.child)
    assert _same(json.loads(leaders.read("journal.json"))) == _same(
        json.loads(parents.read("journal.json"))
    )
    assert _media(leaders) == _media(parents)


def test_a_leader_who_is_also_another_childs_parent_gets_the_family_view(api, worker, sar):
    """People in two places: the leader is Oscar's parent too, and Xander's parent works
    at another setting. Neither role changes what Xander's keepsake holds."""
    w = sar
    f.parent_of(w.oscar, user=w.manager)
    f.MembershipFactory(setting=w.setting_b, role="practitioner", user=w.parent)
    _, leaders = export_zip(api, worker, w.manager, w.child)
    _, parents = export_zip(api, worker, w.parent, w.child)
    document = json.loads(leaders.read("journal.json"))
    group = next(e for e in document["entries"] if e["id"] == str(w.group.pk))
    assert group["text"] == "Xander, O.O., Y.Z. and Q.Q. made soup."
    assert _same(document) == _same(json.loads(parents.read("journal.json")))
    assert _media(leaders) == _media(parents)
    assert len(_media(leaders)) == 2


def test_outsiders_cannot_ask_for_the_childs_keepsake(api, sar):
    w = sar
    for outsider in (w.oscar_parent, w.quentin_parent, w.other_manager, w.far_parent):
        assert api(outsider).post(f"/children/{w.child.pk}/exports").status_code == 404

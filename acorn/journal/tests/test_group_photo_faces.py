"""Group photos for everyone (C-2): a child without image consent is obscured in the copy
other families see, by every path; their own family sees the original. On real photos of
faces, through the real upload, worker and delivery."""

import json
from datetime import date

import pytest
from django.core.files.storage import default_storage

from acorn.audit.models import AuditEvent
from acorn.children.consent import consent_record
from acorn.core.tests import factories as f
from acorn.journal import delivery, selectors
from acorn.journal.models import MediaAppearance, MediaItem, ObscuredFace, SharedRendition
from acorn.journal.tests.media_helpers import upload
from acorn.media_processing.tests.group_pictures import GROUPS, compose


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _say_no(parent, child):
    consent_record(parent=parent, child=child, given=False, signature_name=parent.name)


def _say_yes(parent, child):
    consent_record(parent=parent, child=child, given=True, signature_name=parent.name)


def _put_faces(client, media_id, faces):
    return client.client.put(
        f"/api/v1/media/{media_id}/faces",
        json.dumps(faces),
        content_type="application/json",
        **client._headers(),
    )


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stored(item, name, *, kept=()) -> bytes:
    """A stored file of the photo: "original", "display", "thumb", or with `shared_` the
    shared rendition that leaves the faces of `kept` (children) as they are."""
    item.refresh_from_db()
    if name == "original":
        path = item.original_path()
    elif name.startswith("shared_"):
        copy = SharedRendition.objects.get(media=item, kept=sorted(str(child.pk) for child in kept))
        path = f"{item.storage_prefix}/{copy.renditions[name.removeprefix('shared_')]}"
    else:
        path = f"{item.storage_prefix}/{item.renditions[name]}"
    with default_storage.open(path, "rb") as stored:
        return stored.read()


def _obscured(item) -> set:
    """Whose faces every other family's copy obscures."""
    return set(
        ObscuredFace.objects.filter(media=item, rendition__kept_count=0).values_list(
            "child_id", flat=True
        )
    )


@pytest.fixture
def group(world, api, tmp_path, run_tasks):
    """Xander and Yasmin in one real photo, three faces; Yasmin's parents said no."""
    _say_no(world.other_parent, world.other_child)
    picture, _ = compose(*GROUPS[0])
    picture.save(tmp_path / "group.jpg", quality=92)
    staff = api(world.key_person)
    media_id = run_tasks(upload, staff, tmp_path / "group.jpg").json()["id"]
    response = run_tasks(
        staff.post,
        "/observations",
        {
            "children": [str(world.child.pk), str(world.other_child.pk)],
            "text": "Den building together",
            "observed_on": date.today().isoformat(),
            "media": [{"id": media_id}],
            "publish": True,
        },
    )
    assert response.status_code == 201
    return MediaItem.objects.get(pk=media_id), response.json()["id"]


def _mark(run_tasks, client, item, marks):
    faces = client.get(f"/media/{item.pk}/faces").json()["faces"]
    body = [{"box": faces[i]["box"], "child_id": str(child.pk)} for i, child in marks.items()]
    body += [
        {"box": face["box"], "child_id": None} for i, face in enumerate(faces) if i not in marks
    ]
    response = run_tasks(_put_faces, client, item.pk, body)
    assert response.status_code == 200, response.content
    return response.json()


def _journal_media(client, child):
    items = client.get(f"/children/{child.pk}/journal").json()["items"]
    return [m["id"] for entry in items for m in entry["media"]]


def test_an_unmarked_group_photo_stays_out_of_other_journals(world, api, group):
    item, _ = group
    assert _journal_media(api(world.parent), world.child) == []
    staff_view = api(world.key_person).get(f"/media/{item.pk}/faces").json()
    assert len(staff_view["faces"]) == 3
    assert all(face["found"] and face["child_id"] is None for face in staff_view["faces"])
    assert staff_view["needs_marking"] == [str(world.other_child.pk)]


def test_marking_the_face_shares_an_obscured_copy_with_other_families(
    world, api, web, group, run_tasks
):
    item, entry_id = group
    answer = _mark(run_tasks, api(world.key_person), item, {0: world.other_child})
    assert answer["needs_marking"] == []
    # The obscured copy is drawn by the worker, after the answer.
    after = api(world.key_person).get(f"/media/{item.pk}/faces").json()
    assert after["obscured"] == [str(world.other_child.pk)]
    shared = {name: _stored(item, f"shared_{name}") for name in ("display", "thumb")}
    originals = {name: _stored(item, name) for name in ("display", "thumb", "original")}
    assert shared["display"] != originals["display"]

    x_parent, y_parent, staff = api(world.parent), api(world.other_parent), api(world.key_person)
    # Xander's family: the photo is back in his journal and entry, obscured.
    assert _journal_media(x_parent, world.child) == [str(item.pk)]
    assert [m["id"] for m in x_parent.get(f"/observations/{entry_id}").json()["media"]] == [
        str(item.pk)
    ]
    for name in ("display", "thumb"):
        response = x_parent.get(f"/media/{item.pk}/content", rendition=name)
        assert response.status_code == 200
        assert _bytes(response) == shared[name]
        page = web(world.parent).get(f"/media/{item.pk}/{name}")
        assert _bytes(page) == shared[name]
    journal_page = web(world.parent).get(f"/children/{world.child.pk}/journal")
    assert str(item.pk) in journal_page.content.decode()
    entry_page = web(world.parent).get(f"/observations/{entry_id}/")
    assert str(item.pk) in entry_page.content.decode()
    # Yasmin's own family, and staff, see the original.
    for client in (y_parent, staff):
        response = client.get(f"/media/{item.pk}/content", rendition="display")
        assert _bytes(response) == originals["display"]
    assert _bytes(web(world.other_parent).get(f"/media/{item.pk}/display")) == originals["display"]


def test_no_path_gives_another_family_the_unobscured_photo(world, api, web, group, run_tasks):
    item, entry_id = group
    _mark(run_tasks, api(world.key_person), item, {0: world.other_child})
    unobscured = {_stored(item, name) for name in ("display", "thumb", "original")}
    x_api, x_web = api(world.parent), web(world.parent)
    for rendition in delivery.RENDITIONS:
        for response in (
            x_api.get(f"/media/{item.pk}/content", rendition=rendition),
            x_web.get(f"/media/{item.pk}/{rendition}"),
        ):
            assert response.status_code in (200, 404)
            if response.status_code == 200:
                assert _bytes(response) not in unobscured
    # Faces, and whose they are, are for staff only.
    assert x_api.get(f"/media/{item.pk}/faces").status_code == 404
    assert x_web.get(f"/media/{item.pk}/faces").status_code in (403, 404)
    # Reports and exports read through the same rule: the selector names the shared file.
    chosen = selectors.media_visible_to(world.parent).get(pk=item.pk)
    assert chosen.serve_shared is True
    everyone_else = SharedRendition.objects.get(media=item, kept=[])
    assert delivery.storage_name(chosen, "display").endswith(everyone_else.renditions["display"])
    own = selectors.media_visible_to(world.other_parent).get(pk=item.pk)
    assert delivery.storage_name(own, "display").endswith(item.renditions["display"])


def test_changing_the_marks_hides_the_photo_until_it_is_drawn_again(
    world, api, group, run_tasks, django_capture_on_commit_callbacks
):
    item, _ = group
    staff = api(world.key_person)
    _mark(run_tasks, staff, item, {0: world.other_child})
    first_shared = _stored(item, "shared_display")
    old_names = [
        name
        for copy in SharedRendition.objects.filter(media=item)
        for name in copy.renditions.values()
    ]
    faces = staff.get(f"/media/{item.pk}/faces").json()["faces"]
    # Wrong face: it was the second one.
    body = [
        {"box": faces[1]["box"], "child_id": str(world.other_child.pk)},
        {"box": faces[0]["box"], "child_id": None},
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _put_faces(staff, item.pk, body).status_code == 200
    assert _journal_media(api(world.parent), world.child) == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert _journal_media(api(world.parent), world.child) == [str(item.pk)]
    assert _stored(item, "shared_display") != first_shared
    assert not any(default_storage.exists(f"{item.storage_prefix}/{n}") for n in old_names)
    assert AuditEvent.objects.filter(action="media.faces", object_id=str(item.pk)).count() == 2


def test_a_child_newly_without_consent_hides_the_photo_until_their_face_is_marked(
    world, api, group, run_tasks
):
    item, _ = group
    staff = api(world.key_person)
    _mark(run_tasks, staff, item, {0: world.other_child})
    will = f.ChildFactory(setting=world.setting_a, first_name="Will", key_person=world.key_person)
    will_parent = f.parent_of(will, name="Wendy Will")
    MediaAppearance.objects.create(media=item, child=will)
    assert _journal_media(api(world.parent), world.child) == [str(item.pk)]
    run_tasks(_say_no, will_parent, will)
    # At once: Will isn't obscured in the shared copy.
    assert _journal_media(api(world.parent), world.child) == []
    assert staff.get(f"/media/{item.pk}/faces").json()["needs_marking"] == [str(will.pk)]
    _mark(run_tasks, staff, item, {0: world.other_child, 2: will})
    assert _journal_media(api(world.parent), world.child) == [str(item.pk)]
    assert _obscured(item) == {world.other_child.pk, will.pk}


def test_withdrawing_consent_for_a_marked_child_obscures_them_once_drawn_again(
    world, api, group, run_tasks, django_capture_on_commit_callbacks
):
    item, _ = group
    will = f.ChildFactory(setting=world.setting_a, first_name="Will", key_person=world.key_person)
    will_parent = f.parent_of(will, name="Wendy Will")
    MediaAppearance.objects.create(media=item, child=will)
    _mark(run_tasks, api(world.key_person), item, {0: world.other_child, 2: will})
    assert _obscured(item) == {world.other_child.pk}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _say_no(will_parent, will)
    assert _journal_media(api(world.parent), world.child) == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert _journal_media(api(world.parent), world.child) == [str(item.pk)]
    # Given again: drawn again without Will obscured.
    run_tasks(_say_yes, will_parent, will)
    assert _obscured(item) == {world.other_child.pk}


def test_a_video_with_a_child_without_consent_stays_out_of_other_journals(world, api):
    _say_no(world.other_parent, world.other_child)
    obs = f.observation(author=world.key_person, children=[world.child, world.other_child])
    video = MediaItem.objects.create(
        setting=world.setting_a, uploaded_by=world.key_person, observation=obs, kind="video",
        mime="video/mp4", status="ready", storage_prefix="media/video-faces",
        original_name="original.mp4", renditions={"display": "display.mp4", "poster": "poster.jpg"},
        faces=[{"box": [0.1, 0.1, 0.2, 0.2], "child": None, "found": True, "at": 1.0}],
    )  # fmt: skip
    for child in (world.child, world.other_child):
        MediaAppearance.objects.create(media=video, child=child)
    response = _put_faces(
        api(world.key_person),
        video.pk,
        [{"box": [0.1, 0.1, 0.2, 0.2], "child_id": str(world.other_child.pk)}],
    )
    assert response.status_code == 422
    assert "video" in response.json()["detail"]
    # Even were it recorded as obscured, a video is not shared.
    copy = SharedRendition.objects.create(media=video, renditions={"display": "display.mp4"})
    ObscuredFace.objects.create(media=video, rendition=copy, child=world.other_child)
    assert _journal_media(api(world.parent), world.child) == []


def test_only_staff_of_the_photos_setting_can_see_or_mark_faces(world, api, group):
    item, _ = group
    body = [{"box": [0.1, 0.1, 0.2, 0.2], "child_id": str(world.other_child.pk)}]
    for person in (world.parent, world.other_parent, world.other_manager):
        assert api(person).get(f"/media/{item.pk}/faces").status_code == 404
        assert _put_faces(api(person), item.pk, body).status_code == 404
    assert not ObscuredFace.objects.exists()


def test_a_face_box_outside_the_photo_or_another_settings_child_is_refused(world, api, group):
    item, _ = group
    staff = api(world.key_person)
    for box in ([1.5, 0.1, 0.2, 0.2], [0.1, 0.1, 0.0, 0.2], [0.1, 0.2], ["a", 0, 0, 0]):
        response = _put_faces(staff, item.pk, [{"box": box, "child_id": None}])
        assert response.status_code == 422, box
    far = [{"box": [0.1, 0.1, 0.2, 0.2], "child_id": str(world.far_child.pk)}]
    assert _put_faces(staff, item.pk, far).status_code == 422


def test_the_capture_page_asks_for_the_ticked_child_without_consent(world, web, group):
    item, _ = group
    MediaItem.objects.filter(pk=item.pk).update(observation=None)
    MediaAppearance.objects.filter(media=item).delete()
    page = web(world.key_person)
    answer = page.get(f"/media/{item.pk}/faces", {"child": [world.other_child.pk]}).json()
    assert answer["needs_marking"] == [str(world.other_child.pk)]
    faces = answer["faces"]
    response = page.post(
        f"/media/{item.pk}/faces",
        json.dumps({"faces": [{"box": faces[0]["box"], "child_id": str(world.other_child.pk)}]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["faces"][0]["child_id"] == str(world.other_child.pk)

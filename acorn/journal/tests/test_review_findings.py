"""The outside review's findings on the journal (issue 8: findings 3, 4, 6 and 8), each
repeated as a test that failed before its fix."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal import services
from acorn.journal.models import MediaItem, Observation, ObservationRevision
from acorn.journal.tests.helpers import appearing, files_of, stored_photo


@pytest.fixture
def rose(world):
    """A child whose parent said no to photos in other children's journals."""
    child = f.ChildFactory(
        setting=world.setting_a, first_name="Rose", last_name="Quinn", key_person=world.manager
    )
    f.parent_of(child, consent=False, name="Ravi Quinn")
    return child


def _today():
    return date.today().isoformat()


# Finding 3: the entry page decided "staff" by membership, not by clearance.


@pytest.fixture
def staff_parent(world):
    """Xander's mum, who has just started as a practitioner at his nursery: her checks
    aren't recorded yet (A-5), so at work she may see no child's data."""
    person = f.staff(world.setting_a, "practitioner", cleared=False, name="Sam Both")
    return f.parent_of(world.child, user=person)


@pytest.fixture
def group_entry(world):
    entry = f.observation(
        author=world.key_person,
        children=[world.child, world.other_child],
        text="Xander and Yasmin built a den.",
        reviewed_by=world.manager,
        reviewed_at=timezone.now(),
        review_feedback="Lovely detail about the den",
    )
    ObservationRevision.objects.create(
        observation=entry,
        edited_by=world.key_person,
        text="Yasmin Zed pushed Xander over.",
        observed_on=entry.observed_on,
        child_ids=[],
    )
    stored_photo(
        setting=world.setting_a,
        uploaded_by=world.key_person,
        observation=entry,
        appears=[world.child, world.other_child],
    )
    return entry


def test_uncleared_staff_who_is_a_parent_gets_the_parents_view_of_the_entry_page(
    world, web, staff_parent, group_entry
):
    response = web(staff_parent).get(f"/observations/{group_entry.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "built a den" in page  # their own child's entry, as a parent sees it
    assert "Yasmin" not in page and "Zed" not in page
    assert "pushed" not in page  # no earlier, unredacted versions
    assert "Lovely detail" not in page  # no review feedback
    assert "Who can be seen in it?" not in page
    assert str(world.other_child.pk) not in page
    assert f"/observations/{group_entry.pk}/edit" not in page
    assert f"/observations/{group_entry.pk}/history" not in page
    assert (
        "pushed"
        not in web(staff_parent).get(f"/observations/{group_entry.pk}/history").content.decode()
    )


def test_staff_of_another_setting_who_is_a_parent_gets_the_parents_view(world, web, group_entry):
    person = f.staff(world.setting_b, "practitioner", name="Bo Elsewhere")
    f.parent_of(world.child, user=person)
    page = web(person).get(f"/observations/{group_entry.pk}/").content.decode()
    assert "built a den" in page
    assert "Yasmin" not in page and "pushed" not in page and "Lovely detail" not in page


def test_cleared_staff_still_see_the_staff_view(world, web, group_entry):
    page = web(world.key_person).get(f"/observations/{group_entry.pk}/").content.decode()
    assert "Yasmin" in page and "Lovely detail" in page
    assert "Who can be seen in it?" in page
    # Earlier versions are on the entry's history page, for staff.
    assert f"/observations/{group_entry.pk}/history" in page
    history = web(world.key_person).get(f"/observations/{group_entry.pk}/history")
    assert "pushed" in history.content.decode()


def test_uncleared_staff_parent_cannot_change_who_appears_or_edit(
    world, web, api, staff_parent, group_entry
):
    item = group_entry.media.get()
    client = web(staff_parent)
    assert client.post(f"/media/{item.pk}/appears", {"appears": [world.child.pk]}).status_code in (
        403,
        404,
    )
    assert appearing(item) == {world.child.pk, world.other_child.pk}
    refused = api(staff_parent).patch(f"/observations/{group_entry.pk}", {"text": "Mine now"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "checks_incomplete"
    assert Observation.objects.get(pk=group_entry.pk).text == "Xander and Yasmin built a den."


# Finding 4: `appears: []` bypassed consent.


def test_empty_appears_is_refused_in_the_api(world, api, rose):
    client = api(world.key_person)
    photo = stored_photo(setting=world.setting_a, uploaded_by=world.key_person)
    response = client.post(
        "/observations",
        {
            "children": [str(world.child.pk), str(rose.pk)],
            "text": "Group painting.",
            "observed_on": _today(),
            "media": [{"id": str(photo.pk), "appears": []}],
            "publish": True,
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert not Observation.objects.exists()
    assert appearing(photo) == set()


def test_group_photo_with_an_unconsented_child_never_reaches_another_childs_parents(
    world, api, rose
):
    client = api(world.key_person)
    photo = stored_photo(setting=world.setting_a, uploaded_by=world.key_person)
    response = client.post(
        "/observations",
        {
            "children": [str(world.child.pk), str(rose.pk)],
            "text": "Group painting.",
            "observed_on": _today(),
            # Naming only Xander can't make Rose, who the entry is about, vanish.
            "media": [{"id": str(photo.pk), "appears": [str(world.child.pk)]}],
            "publish": True,
        },
    )
    assert response.status_code == 201, response.content
    assert appearing(photo) == {world.child.pk, rose.pk}
    assert api(world.parent).get(f"/media/{photo.pk}").status_code == 404


def test_empty_appears_is_refused_on_edit_and_recorded_appearances_are_kept(world, api, rose):
    entry = f.observation(author=world.key_person, children=[world.child])
    photo = stored_photo(
        setting=world.setting_a,
        uploaded_by=world.key_person,
        observation=entry,
        appears=[world.child, rose],  # Rose was tagged on the page
    )
    client = api(world.key_person)
    response = client.patch(
        f"/observations/{entry.pk}", {"media": [{"id": str(photo.pk), "appears": []}]}
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert appearing(photo) == {world.child.pk, rose.pk}
    # Re-sending the photo without `appears` keeps who it is known to show.
    response = client.patch(f"/observations/{entry.pk}", {"media": [{"id": str(photo.pk)}]})
    assert response.status_code == 200, response.content
    assert appearing(photo) == {world.child.pk, rose.pk}
    assert api(world.parent).get(f"/media/{photo.pk}").status_code == 404


def test_adding_a_child_to_an_entry_adds_them_to_its_photos(world, api, rose):
    entry = f.observation(author=world.key_person, children=[world.child])
    photo = stored_photo(
        setting=world.setting_a,
        uploaded_by=world.key_person,
        observation=entry,
        appears=[world.child],
    )
    response = api(world.key_person).patch(
        f"/observations/{entry.pk}", {"children": [str(world.child.pk), str(rose.pk)]}
    )
    assert response.status_code == 200, response.content
    assert appearing(photo) == {world.child.pk, rose.pk}
    assert api(world.parent).get(f"/media/{photo.pk}").status_code == 404


def test_empty_appears_is_refused_by_the_service_the_capture_page_uses(world):
    photo = stored_photo(setting=world.setting_a, uploaded_by=world.key_person)
    with pytest.raises(ValidationError):
        services.observation_create(
            author=world.key_person,
            children=[world.child],
            text="Painting.",
            observed_on=date.today(),
            media=[services.MediaChoice(media=photo, appears=[])],
        )
    assert not Observation.objects.exists()


def test_capture_page_records_the_entrys_children_in_its_photos(world, web, rose):
    photo = stored_photo(setting=world.setting_a, uploaded_by=world.manager)
    response = web(world.manager).post(
        "/observations/new",
        {
            "children": [str(world.child.pk), str(rose.pk)],
            "text": "Painting.",
            "observed_on": _today(),
            "media_ids": str(photo.pk),
        },
    )
    assert response.status_code == 302, response.content
    assert appearing(photo) == {world.child.pk, rose.pk}


def test_who_appears_chooser_cannot_drop_the_entrys_children(world, web, rose):
    entry = f.observation(author=world.key_person, children=[world.child, rose])
    photo = stored_photo(
        setting=world.setting_a,
        uploaded_by=world.key_person,
        observation=entry,
        appears=[world.child, rose],
    )
    web(world.key_person).post(f"/media/{photo.pk}/appears", {"appears": [world.child.pk]})
    assert appearing(photo) == {world.child.pk, rose.pk}
    web(world.key_person).post(f"/media/{photo.pk}/appears", {"appears": []})
    assert appearing(photo) == {world.child.pk, rose.pk}


# Finding 6: editing bypassed the rules of create, and anyone could edit anyone's entry.
# (The session-time rule on every write is in test_write_paths_follow_create.py.)


def _key_worker(world, name):
    """A practitioner who is key person to a child of their own (so A-7 doesn't apply)."""
    person = f.staff(world.setting_a, "practitioner", name=name)
    f.ChildFactory(setting=world.setting_a, key_person=person)
    return person


def test_practitioner_edits_only_own_entries_unless_leader_or_key_person_of_every_child(world, api):
    helper = _key_worker(world, "Hal Helper")
    other_key = f.staff(world.setting_a, "practitioner", name="Kim Other")
    world.other_child.key_person = other_key
    world.other_child.save()
    entry = f.observation(author=helper, children=[world.child, world.other_child])

    # Key person of only one of the children: refused, nothing changed.
    refused = api(world.key_person).patch(f"/observations/{entry.pk}", {"text": "Changed"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    refused = api(world.key_person).delete(f"/observations/{entry.pk}")
    assert refused.status_code == 403
    entry.refresh_from_db()
    assert entry.text == "Built a tower."

    # The author, a session leader, and the key person of every child may.
    assert api(helper).patch(f"/observations/{entry.pk}", {"text": "By me"}).status_code == 200
    assert (
        api(world.manager).patch(f"/observations/{entry.pk}", {"text": "Lead"}).status_code == 200
    )
    solo = f.observation(author=helper, children=[world.child])
    assert api(world.key_person).patch(f"/observations/{solo.pk}", {"text": "K"}).status_code == 200


def test_another_practitioners_entry_is_not_editable_on_the_web(world, web):
    helper = _key_worker(world, "Hal Helper")
    entry = f.observation(author=world.key_person, children=[world.child])
    client = web(helper)
    assert (
        f"/observations/{entry.pk}/edit"
        not in client.get(f"/observations/{entry.pk}/").content.decode()
    )
    response = client.post(
        f"/observations/{entry.pk}/edit", {"text": "Mine", "observed_on": _today()}
    )
    assert response.status_code == 403
    assert client.post(f"/observations/{entry.pk}/delete").status_code == 403
    entry.refresh_from_db()
    assert entry.text == "Built a tower."


# Finding 8: a portrait could be attached to an entry, and deleting the entry deleted it.


@pytest.fixture
def portrait(world):
    photo = stored_photo(setting=world.setting_a, uploaded_by=world.key_person)
    Child.objects.filter(pk=world.child.pk).update(photo=photo)
    return photo


def test_portrait_cannot_be_attached_to_an_entry_in_the_api(world, api, portrait):
    client = api(world.key_person)
    response = client.post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "text": "Look!",
            "observed_on": _today(),
            "media": [{"id": str(portrait.pk)}],
            "publish": True,
        },
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert not Observation.objects.exists()
    entry = f.observation(author=world.key_person, children=[world.child])
    response = client.patch(f"/observations/{entry.pk}", {"media": [{"id": str(portrait.pk)}]})
    assert response.status_code == 422
    portrait.refresh_from_db()
    assert portrait.observation_id is None


def test_portrait_cannot_be_attached_to_a_contribution(world, api, portrait):
    response = api(world.parent).post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "text": "At home",
            "observed_on": _today(),
            "media": [{"id": str(portrait.pk)}],
        },
    )
    assert response.status_code == 422
    portrait.refresh_from_db()
    assert portrait.observation_id is None


def test_portrait_cannot_be_attached_on_the_capture_page(world, web, portrait):
    response = web(world.key_person).post(
        "/observations/new",
        {
            "children": [str(world.child.pk)],
            "text": "Look!",
            "observed_on": _today(),
            "media_ids": str(portrait.pk),
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "portrait" in response.content.decode()
    assert not Observation.objects.exists()


def test_deleting_an_entry_never_deletes_a_portrait(
    world, api, portrait, django_capture_on_commit_callbacks
):
    # As left by the bug: a portrait already attached to an entry.
    entry = f.observation(author=world.key_person, children=[world.child])
    MediaItem.objects.filter(pk=portrait.pk).update(observation=entry)
    own = stored_photo(setting=world.setting_a, uploaded_by=world.key_person, observation=entry)
    with django_capture_on_commit_callbacks(execute=True):
        assert api(world.key_person).delete(f"/observations/{entry.pk}").status_code == 204
    assert not Observation.objects.filter(pk=entry.pk).exists()
    assert MediaItem.objects.filter(pk=portrait.pk, observation=None).exists()
    assert Child.objects.get(pk=world.child.pk).photo_id == portrait.pk
    assert files_of(portrait) == ["display.jpg", "original.jpg", "thumb.webp"]
    assert not MediaItem.objects.filter(pk=own.pk).exists() and files_of(own) == []


def test_removing_media_on_edit_never_deletes_a_portrait(
    world, api, portrait, django_capture_on_commit_callbacks
):
    entry = f.observation(author=world.key_person, children=[world.child])
    MediaItem.objects.filter(pk=portrait.pk).update(observation=entry)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.key_person).patch(f"/observations/{entry.pk}", {"media": []})
    assert response.status_code == 200, response.content
    assert MediaItem.objects.filter(pk=portrait.pk, observation=None).exists()
    assert files_of(portrait) == ["display.jpg", "original.jpg", "thumb.webp"]


def test_only_the_author_publishes_a_draft_even_through_the_service(world):
    from django.core.exceptions import PermissionDenied

    draft = f.observation(author=world.key_person, children=[world.child], status="draft")
    with pytest.raises(PermissionDenied):
        services.observation_publish(observation=draft, published_by=world.manager)
    draft.refresh_from_db()
    assert draft.status == "draft"

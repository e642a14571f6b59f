"""J-5: staff change an entry's children and photos, on the edit page and with
PATCH /observations/{id}, by the rules of create (issue 14). The refusals of every
persona are in test_write_paths_follow_create.py; here is what each change does."""

import pytest

from acorn.core.tests import factories as f
from acorn.journal.models import Comment, MediaItem, ObservationChild, ObservationRevision
from acorn.journal.tests.helpers import appearing, files_of, stored_photo


@pytest.fixture
def entry(world):
    entry = f.observation(author=world.key_person, children=[world.child], text="Built a den.")
    entry.photo = stored_photo(
        setting=world.setting_a,
        uploaded_by=world.key_person,
        observation=entry,
        appears=[world.child],
    )
    return entry


def _edit(client, entry, children, media, **extra):
    return client.post(
        f"/observations/{entry.pk}/edit",
        {
            "children_shown": "True",
            "children": [str(c.pk) for c in children],
            "text": entry.text,
            "observed_on": entry.observed_on.isoformat(),
            "media_ids": ",".join(str(m.pk) for m in media),
            **extra,
        },
    )


def _children_of(entry):
    return set(
        ObservationChild.objects.filter(observation=entry).values_list("child_id", flat=True)
    )


def test_the_edit_page_offers_children_photos_and_consent(world, web, entry):
    world.other_child.image_consent = False
    world.other_child.save()
    page = web(world.key_person).get(f"/observations/{entry.pk}/edit").content.decode()
    assert (
        f'value="{world.child.pk}" id="child-{world.child.pk}" aria-describedby="children-hint" checked'
        in page
    )
    assert f'id="child-{world.other_child.pk}"' in page and "No photo consent" in page
    assert f'data-id="{entry.photo.pk}"' in page  # the uploader lists its photo
    assert f'name="appears-{entry.photo.pk}"' in page  # and who can be seen in it
    assert str(world.far_child.pk) not in page  # never another setting's children


def test_adding_a_child_to_a_published_entry_tells_only_their_parents(
    world, web, entry, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(
            web(world.key_person), entry, [world.child, world.other_child], [entry.photo]
        )
    assert response.status_code == 302
    assert _children_of(entry) == {world.child.pk, world.other_child.pk}
    assert appearing(entry.photo) == {world.child.pk, world.other_child.pk}  # C-1
    assert [m.to for m in mailoutbox] == [["other-parent@a.test"]]
    assert "Yasmin" not in mailoutbox[0].body


def test_taking_a_child_off_takes_the_entry_out_of_their_journal(world, web, api, entry):
    both = f.observation(author=world.key_person, children=[world.child, world.other_child])
    Comment.objects.create(
        observation=both, child=world.other_child, author=world.other_parent, text="Yasmin loved it"
    )
    assert api(world.other_parent).get(f"/observations/{both.pk}").status_code == 200

    response = _edit(web(world.key_person), both, [world.child], [])
    assert response.status_code == 302
    assert _children_of(both) == {world.child.pk}
    assert api(world.other_parent).get(f"/observations/{both.pk}").status_code == 404
    journal = api(world.other_parent).get(f"/children/{world.other_child.pk}/journal").json()
    assert str(both.pk) not in {e["id"] for e in journal["items"]}
    # Their reply is kept (a thread per child) but shown to nobody, staff included.
    assert Comment.objects.filter(observation=both, child=world.other_child).exists()
    page = web(world.manager).get(f"/observations/{both.pk}/").content.decode()
    assert "Yasmin loved it" not in page
    # The history says who was taken off.
    history = web(world.manager).get(f"/observations/{both.pk}/history").content.decode()
    assert "removed Yasmin Zed" in history


def test_an_entry_keeps_at_least_one_child(world, web, api, entry):
    response = _edit(web(world.key_person), entry, [], [entry.photo])
    assert response.status_code == 200
    assert "An entry needs at least one child." in response.content.decode()
    response = api(world.key_person).patch(f"/observations/{entry.pk}", {"children": []})
    assert response.status_code == 422
    assert _children_of(entry) == {world.child.pk}
    assert not ObservationRevision.objects.exists()


def test_only_children_of_the_entrys_setting(world, api, entry):
    response = api(world.key_person).patch(
        f"/observations/{entry.pk}", {"children": [str(world.child.pk), str(world.far_child.pk)]}
    )
    assert response.status_code == 422
    assert _children_of(entry) == {world.child.pk}


def test_a_key_person_adds_only_their_own_key_children_to_someone_elses_entry(world, web, api):
    someone_elses = f.ChildFactory(setting=world.setting_a, key_person=world.manager)
    by_manager = f.observation(author=world.manager, children=[world.child])
    kate = api(world.key_person)
    response = kate.patch(
        f"/observations/{by_manager.pk}", {"children": [str(world.child.pk), str(someone_elses.pk)]}
    )
    assert response.status_code == 403
    assert _children_of(by_manager) == {world.child.pk}
    # On the page, said beside the children, with what was typed kept.
    page = _edit(web(world.key_person), by_manager, [world.child, someone_elses], [], text="Kept")
    assert page.status_code == 200
    assert "You can add your own key children" in page.content.decode()
    assert "Kept" in page.content.decode()
    assert _children_of(by_manager) == {world.child.pk}
    response = kate.patch(
        f"/observations/{by_manager.pk}",
        {"children": [str(world.child.pk), str(world.other_child.pk)]},
    )
    assert response.status_code == 200
    assert _children_of(by_manager) == {world.child.pk, world.other_child.pk}


def test_adding_a_photo_takes_only_the_editors_own_upload(world, web, api, entry):
    mine = stored_photo(setting=world.setting_a, uploaded_by=world.key_person)
    theirs = stored_photo(setting=world.setting_a, uploaded_by=world.manager)
    response = api(world.key_person).patch(
        f"/observations/{entry.pk}",
        {"media": [{"id": str(entry.photo.pk)}, {"id": str(theirs.pk)}]},
    )
    assert response.status_code == 422
    assert MediaItem.objects.get(pk=theirs.pk).observation_id is None
    response = _edit(web(world.key_person), entry, [world.child], [mine, entry.photo])
    assert response.status_code == 302
    assert list(entry.media.values_list("pk", flat=True)) == [mine.pk, entry.photo.pk]
    assert appearing(mine) == {world.child.pk}


def test_removing_a_photo_deletes_it_and_its_files(
    world, web, api, entry, django_capture_on_commit_callbacks
):
    photo = entry.photo
    assert files_of(photo)
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(web(world.key_person), entry, [world.child], [])
    assert response.status_code == 302
    assert not MediaItem.objects.filter(pk=photo.pk).exists()
    assert files_of(photo) == []
    assert api(world.parent).get(f"/media/{photo.pk}").status_code == 404


def test_who_appears_is_changed_on_the_edit_page(world, web, entry):
    client = web(world.key_person)
    key = f"appears-{entry.photo.pk}"
    extra = {key: [str(world.other_child.pk)], f"{key}-shown": "1"}
    assert _edit(client, entry, [world.child], [entry.photo], **extra).status_code == 302
    # The entry's own children always count as appearing.
    assert appearing(entry.photo) == {world.child.pk, world.other_child.pk}
    extra = {key: [str(world.child.pk)], f"{key}-shown": "1"}
    assert _edit(client, entry, [world.child], [entry.photo], **extra).status_code == 302
    assert appearing(entry.photo) == {world.child.pk}
    revision = ObservationRevision.objects.filter(observation=entry).first()
    assert revision.media[0]["appears"] == sorted([str(world.child.pk), str(world.other_child.pk)])


def test_parents_cannot_change_children_or_photos(world, web, api, entry):
    before = (_children_of(entry), list(entry.media.values_list("pk", flat=True)))
    for parent in (world.parent, world.other_parent):
        assert web(parent).get(f"/observations/{entry.pk}/edit").status_code in (403, 404)
        assert _edit(web(parent), entry, [world.child, world.other_child], []).status_code in (
            403,
            404,
        )
        response = api(parent).patch(
            f"/observations/{entry.pk}", {"children": [str(world.other_child.pk)], "media": []}
        )
        assert response.status_code in (403, 404)
    assert (
        api(world.other_manager).patch(f"/observations/{entry.pk}", {"media": []}).status_code
        == 404
    )
    assert (_children_of(entry), list(entry.media.values_list("pk", flat=True))) == before

"""J-5: an entry's history, for the setting's staff only (issue 14): each version with who,
when and what changed, newest first; parents only ever see the entry as it is now."""

from datetime import timedelta

import pytest

from acorn.core.tests import factories as f
from acorn.journal import services
from acorn.journal.history import text_diff
from acorn.journal.tests.helpers import stored_photo


@pytest.fixture
def edited(world):
    """An entry written by the key person, then corrected twice by the manager: text,
    children, a photo added and tags."""
    entry = f.observation(
        author=world.key_person, children=[world.child], text="Xander built a tall tower."
    )
    services.observation_update(
        observation=entry, editor=world.manager, text="Xander built a wobbly tower of blocks."
    )
    photo = stored_photo(setting=world.setting_a, uploaded_by=world.manager)
    services.observation_update(
        observation=entry,
        editor=world.manager,
        children=[world.child, world.other_child],
        media=[services.MediaChoice(media=photo)],
        areas=["PD"],
        next_steps="Try a taller one.",
    )
    return entry


def test_text_diff_marks_changed_words_and_escapes():
    html = text_diff("Rose & Will built <b>a</b> tower", "Rose & Will built a wobbly tower")
    assert "Rose &amp; Will built " in html
    assert "<del>&lt;b&gt;</del>a<del>&lt;/b&gt;</del><ins> wobbly</ins> tower" in html
    assert "<b>" not in html


def test_staff_of_the_setting_see_each_version_newest_first(world, web, edited):
    page = web(world.key_person).get(f"/observations/{edited.pk}/history").content.decode()
    newest, older, first = (
        page.index("Edited by Mia Manager"),
        page.rindex("Edited by Mia Manager"),
        page.index("Written by Kate Key"),
    )
    assert newest < older < first
    # The first edit: words changed, shown as words.
    assert "<del>tall</del>" in page and "<ins>wobbly</ins>" in page
    assert "tower<ins> of blocks</ins>." in page
    # The second: children, photo, area and next steps.
    assert "<strong>Children:</strong> added Yasmin Zed" in page
    assert "<strong>Photos and videos:</strong> added a photo" in page
    assert "<strong>Areas of learning:</strong> added Physical development" in page
    assert "<ins>Try a taller one.</ins>" in page
    # The entry as first written.
    assert "Xander built a tall tower." in page


def test_who_may_see_the_history(world, web, api, edited):
    path = f"/observations/{edited.pk}/history"
    assert web(world.manager).get(path).status_code == 200
    assert web(world.key_person).get(path).status_code == 200
    # A practitioner of the setting who didn't write it may read it (not change it).
    helper = f.staff(world.setting_a, "practitioner", name="Hal Helper")
    assert web(helper).get(path).status_code == 200
    assert web(world.parent).get(path).status_code == 403  # a parent of the child
    assert web(world.other_parent).get(path).status_code == 403
    assert web(world.other_manager).get(path).status_code == 404  # another setting
    # Xander's dad, newly on the staff and not cleared: he is a parent here.
    dad = f.parent_of(world.child, user=f.staff(world.setting_a, "practitioner", cleared=False))
    response = web(dad).get(path)
    assert response.status_code == 403
    assert "tall tower" not in response.content.decode()


def test_parents_never_see_an_earlier_version(world, web, api, edited):
    for reader in (
        web(world.parent).get(f"/observations/{edited.pk}/").content.decode(),
        web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode(),
        api(world.parent).get(f"/observations/{edited.pk}").content.decode(),
    ):
        assert "wobbly tower of blocks" in reader
        assert "tall tower" not in reader
        assert "See what changed" not in reader


def test_history_page_makes_the_same_queries_however_long(
    world, web, django_assert_max_num_queries
):
    entry = f.observation(author=world.key_person, children=[world.child], text="One.")
    stored_photo(setting=world.setting_a, uploaded_by=world.key_person, observation=entry)
    client = web(world.manager)
    path = f"/observations/{entry.pk}/history"
    client.get(path)
    with django_assert_max_num_queries(25) as short:
        assert client.get(path).status_code == 200
    for n in range(12):
        editor = world.manager if n % 2 else world.key_person
        photo = stored_photo(setting=world.setting_a, uploaded_by=editor)
        services.observation_update(
            observation=entry,
            editor=editor,
            text=f"Version {n}.",
            children=[world.child, world.other_child] if n % 2 else [world.child],
            media=[services.MediaChoice(media=photo)],
        )
    with django_assert_max_num_queries(len(short.captured_queries)):
        page = client.get(path)
    assert page.content.decode().count("Edited by") == 12


def test_old_revisions_without_recorded_photos_say_nothing_wrong(world, web):
    """Revisions written before children's photos and tags were recorded hold None:
    the history shows their text change and invents no photo or tag change."""
    from acorn.journal.models import ObservationRevision

    entry = f.observation(author=world.key_person, children=[world.child], text="New text.")
    stored_photo(setting=world.setting_a, uploaded_by=world.key_person, observation=entry)
    ObservationRevision.objects.create(
        observation=entry,
        edited_by=world.manager,
        edited_at=entry.created_at + timedelta(minutes=5),
        text="Old text.",
        observed_on=entry.observed_on,
        areas=[],
        child_ids=[str(world.child.pk)],
    )
    page = web(world.manager).get(f"/observations/{entry.pk}/history").content.decode()
    assert "<del>Old</del>" in page and "<ins>New</ins>" in page
    assert "Photos and videos" not in page and "Aspects" not in page

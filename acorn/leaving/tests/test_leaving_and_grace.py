"""L-1 and L-3: a leaving date recorded by a session leader; from that date the child
leaves the active lists and is archived: practitioners lose access, session leaders keep
read access, parents keep read access for 30 days (days 29 and 30 yes, day 31 no), and
nothing can be written to the journal."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from acorn.children.models import Child
from acorn.children.selectors import children_of_setting
from acorn.core.tests import factories as f
from acorn.journal.tests.helpers import stored_photo
from acorn.leaving.services import leaving_apply_due

LONDON = ZoneInfo("Europe/London")


def at(day, hour=10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=LONDON), tick=False)


@pytest.fixture
def leaving_world(world):
    w = world
    w.entry = f.observation(author=w.key_person, children=[w.child], text="Xander painted.")
    w.photo = stored_photo(
        setting=w.setting_a, uploaded_by=w.key_person, observation=w.entry, appears=[w.child]
    )
    w.leaving_on = timezone.localdate() + timedelta(days=2)
    return w


def record(api, w, **body):
    body = {"leaving_on": w.leaving_on.isoformat(), "destination_name": "Oak Primary", **body}
    return api(w.manager).post(f"/children/{w.child.pk}/leaving", body)


def test_session_leader_records_leaving_date_and_destination(api, leaving_world):
    w = leaving_world
    response = record(api, w)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "left"
    assert response.json()["destination_name"] == "Oak Primary"
    w.child.refresh_from_db()
    assert w.child.status == Child.Status.LEFT


def test_destination_can_be_a_setting_from_the_directory(api, leaving_world):
    w = leaving_world
    found = api(w.manager).get("/directory/settings", q="birch").json()
    assert found == [{"id": str(w.setting_b.pk), "name": "Birch Pre-school"}]
    response = record(api, w, destination_setting_id=str(w.setting_b.pk), destination_name=None)
    assert response.status_code == 200, response.content
    assert response.json()["destination_name"] == "Birch Pre-school"


def test_practitioner_cannot_record_leaving(api, leaving_world):
    w = leaving_world
    response = api(w.key_person).post(
        f"/children/{w.child.pk}/leaving",
        {"leaving_on": w.leaving_on.isoformat(), "destination_name": "Oak Primary"},
    )
    assert response.status_code == 403
    assert not Child.objects.filter(pk=w.child.pk, status="left").exists()


def test_other_settings_manager_and_parent_cannot_record_leaving(api, leaving_world):
    w = leaving_world
    body = {"leaving_on": w.leaving_on.isoformat(), "destination_name": "Oak Primary"}
    assert api(w.other_manager).post(f"/children/{w.child.pk}/leaving", body).status_code == 404
    assert api(w.other_parent).post(f"/children/{w.child.pk}/leaving", body).status_code == 404
    assert api(w.parent).post(f"/children/{w.child.pk}/leaving", body).status_code == 403


def test_leaving_child_stays_in_active_lists_until_the_leaving_date(api, leaving_world):
    w = leaving_world
    record(api, w)
    with at(w.leaving_on - timedelta(days=1)):
        assert w.child in children_of_setting(w.setting_a, status="active")
        assert api(w.key_person).get(f"/children/{w.child.pk}/journal").status_code == 200
    with at(w.leaving_on):
        assert w.child not in children_of_setting(w.setting_a, status="active")
        assert w.other_child in children_of_setting(w.setting_a, status="active")


def test_archived_child_is_gone_from_the_capture_page(web, leaving_world):
    w = leaving_world
    from acorn.leaving.services import leaving_record

    leaving_record(
        child=w.child, recorded_by=w.manager, leaving_on=w.leaving_on, destination_name="Oak"
    )
    with at(w.leaving_on):
        page = web(w.key_person).get("/observations/new").content.decode()
        assert "Yasmin" in page
        assert "Xander" not in page


def test_from_the_leaving_date_practitioners_lose_access_and_leaders_keep_read(api, leaving_world):
    w = leaving_world
    record(api, w)
    with at(w.leaving_on):
        key_person = api(w.key_person)
        assert key_person.get(f"/children/{w.child.pk}").status_code == 404
        assert key_person.get(f"/children/{w.child.pk}/journal").status_code == 404
        assert key_person.get(f"/observations/{w.entry.pk}").status_code == 404
        assert key_person.get(f"/media/{w.photo.pk}/content").status_code == 404
        manager = api(w.manager)
        assert manager.get(f"/children/{w.child.pk}/journal").status_code == 200
        assert manager.get(f"/media/{w.photo.pk}/content").status_code == 200
        assert manager.get(f"/children/{w.child.pk}").json()["status"] in ("left", "archived")


def test_nothing_can_be_written_to_an_archived_childs_journal(api, leaving_world):
    w = leaving_world
    record(api, w)
    with at(w.leaving_on):
        leaflet = {
            "children": [str(w.child.pk)],
            "text": "After leaving",
            "observed_on": w.leaving_on.isoformat(),
            "publish": True,
        }
        manager = api(w.manager)
        assert manager.post("/observations", leaflet).status_code == 403
        reply = {"text": "Lovely", "child": str(w.child.pk)}
        assert manager.post(f"/observations/{w.entry.pk}/comments", reply).status_code == 403
        parent_reply = api(w.parent).post(f"/observations/{w.entry.pk}/comments", {"text": "Hi"})
        assert parent_reply.status_code == 403
        contribution = {**leaflet, "publish": False}
        assert api(w.parent).post("/observations", contribution).status_code == 403
        patch = manager.patch(f"/children/{w.child.pk}", {"room": "Elsewhere"})
        assert patch.status_code == 403
    assert w.entry.comments.count() == 0


@pytest.mark.parametrize(("day", "parent_sees"), [(29, True), (30, True), (31, False)])
def test_parent_keeps_read_access_for_thirty_days(api, leaving_world, day, parent_sees):
    w = leaving_world
    record(api, w)
    with at(w.leaving_on + timedelta(days=day)):
        parent = api(w.parent)
        expected = 200 if parent_sees else 404
        assert parent.get(f"/children/{w.child.pk}").status_code == expected
        assert parent.get(f"/children/{w.child.pk}/journal").status_code == expected
        assert parent.get(f"/observations/{w.entry.pk}").status_code == expected
        assert parent.get(f"/media/{w.photo.pk}/content").status_code == expected
        # Another family never, whatever the day.
        assert api(w.other_parent).get(f"/children/{w.child.pk}").status_code == 404


def test_parents_are_emailed_when_grace_starts_and_three_days_before_it_ends(api, leaving_world):
    w = leaving_world
    record(api, w)
    mail.outbox.clear()
    with at(w.leaving_on - timedelta(days=1)):
        assert leaving_apply_due()["emails"] == 0
    with at(w.leaving_on):
        outcome = leaving_apply_due()
        assert outcome == {"archived": 1, "emails": 1, "transferred": 0}
        assert leaving_apply_due()["emails"] == 0  # never twice
    w.child.refresh_from_db()
    assert w.child.status == Child.Status.ARCHIVED
    with at(w.leaving_on + timedelta(days=26)):
        assert leaving_apply_due()["emails"] == 0
    with at(w.leaving_on + timedelta(days=27)):
        assert leaving_apply_due()["emails"] == 1
    assert [m.to for m in mail.outbox] == [[w.parent.email], [w.parent.email]]
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Xander" not in text and "Young" not in text
    assert "download" in mail.outbox[0].body

"""The session-time rule (A-7) at its edges, and duty."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from acorn.core.tests import factories as f
from acorn.journal.models import Observation
from acorn.org.models import DutyPeriod

LONDON = ZoneInfo("Europe/London")
# The world is made on the Saturday before; each test then moves forward to its moment
# (sessions and tokens issued earlier than an account's creation would not work).
SATURDAY = datetime(2026, 2, 28, 12, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(SATURDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(clock, world):
    world.setting_a.session_times = [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "13:00", "end": "15:30"},
    ]
    world.setting_a.save()
    world.helper = f.staff(world.setting_a, "practitioner", name="Hal Helper")
    return world


def observe(client, world, text="Played in the sand."):
    return client.post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "text": text,
            "observed_on": "2026-03-02",
            "publish": True,
        },
    )


def at(clock, hour, minute=0, day=2):
    clock.move_to(datetime(2026, 3, day, hour, minute, tzinfo=LONDON))


def test_inside_session_times_with_a_leader_on_duty_records_the_supervisor(room, api, clock):
    at(clock, 9, 0)
    manager = api(room.manager)
    assert (
        manager.post(
            f"/settings/{room.setting_a.pk}/duty", {"leader_id": str(room.manager.pk)}
        ).status_code
        == 201
    )
    response = observe(api(room.helper), room)
    assert response.status_code == 201, response.content
    observation = Observation.objects.get(pk=response.json()["id"])
    assert observation.supervisor == room.manager


@pytest.mark.parametrize(
    ("hour", "minute", "day", "allowed"),
    [
        (8, 59, 2, False),  # a minute before the session
        (9, 0, 2, True),  # its first minute
        (11, 59, 2, True),  # its last minute
        (12, 0, 2, False),  # the session has ended
        (10, 0, 3, False),  # Tuesday: no sessions
        (13, 0, 4, True),  # Wednesday's afternoon session
    ],
)
def test_session_time_edges(room, api, clock, hour, minute, day, allowed):
    at(clock, hour, minute, day)
    DutyPeriod.objects.create(setting=room.setting_a, leader=room.manager)
    response = observe(api(room.helper), room)
    if allowed:
        assert response.status_code == 201
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "outside_session_times"


def test_no_leader_on_duty_refuses(room, api, clock):
    at(clock, 10, 0)
    manager = api(room.manager)
    manager.post(f"/settings/{room.setting_a.pk}/duty", {"leader_id": str(room.manager.pk)})
    assert manager.delete(f"/settings/{room.setting_a.pk}/duty").status_code == 204
    response = observe(api(room.helper), room)
    assert response.status_code == 403 and "on duty" in response.json()["detail"]


def test_yesterdays_duty_does_not_count_today(room, api, clock):
    at(clock, 10, 0, day=1)
    DutyPeriod.objects.create(setting=room.setting_a, leader=room.manager)
    at(clock, 10, 0, day=2)
    assert observe(api(room.helper), room).status_code == 403


def test_key_people_and_session_leaders_need_no_supervision(room, api, clock):
    at(clock, 19, 0, day=7)  # a Saturday evening
    response = observe(api(room.key_person), room)
    assert response.status_code == 201
    assert Observation.objects.get(pk=response.json()["id"]).supervisor is None
    assert observe(api(room.manager), room).status_code == 201


def test_web_capture_page_explains_the_refusal(room, web, clock):
    at(clock, 18, 0)
    response = web(room.helper).post(
        "/observations/new",
        {"children": [str(room.child.pk)], "text": "Late note", "observed_on": "2026-03-02"},
    )
    # The page explains the rule and keeps what was typed; the refusal is audited.
    assert response.status_code == 200
    assert "session times" in response.content.decode()
    assert "Monday 09:00–12:00" in response.content.decode()
    assert "Late note" in response.content.decode()
    from acorn.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="refused.outside_session_times").exists()


def test_supervised_observations_appear_on_the_leaders_dashboard(room, api, web, clock):
    at(clock, 10, 0)
    DutyPeriod.objects.create(setting=room.setting_a, leader=room.manager)
    observe(api(room.helper), room, text="Hal saw Xander share the spade.")
    page = web(room.manager).get("/dashboard/").content.decode()
    assert "Hal saw Xander share the spade." in page and "On duty" in page


def test_duty_three_people(room, api, web, clock):
    path = f"/settings/{room.setting_a.pk}/duty"
    body = {"leader_id": str(room.manager.pk)}
    assert api(room.key_person).post(path, body).json()["code"] == "forbidden"
    assert api(room.parent).post(path, body).status_code == 404
    assert api(room.other_manager).post(path, body).status_code == 404
    assert api(room.manager).post(path, {"leader_id": str(room.key_person.pk)}).status_code == 422
    client = web(room.manager)
    assert client.post("/dashboard/duty", {"on": "1"}).status_code == 302
    assert DutyPeriod.objects.filter(leader=room.manager, ended_at=None).count() == 1
    client.post("/dashboard/duty", {"on": "0"})
    assert DutyPeriod.objects.filter(leader=room.manager, ended_at=None).count() == 0
    assert web(room.key_person).post("/dashboard/duty", {"on": "1"}).status_code == 403

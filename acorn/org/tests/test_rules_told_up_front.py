"""Rules told before the work, not after (A-7 on the capture page and on duty)."""

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from acorn.core.tests import factories as f
from acorn.journal.models import Observation
from acorn.org.models import DutyPeriod
from acorn.org.rules import duty_started_message, session_times_summary

LONDON = ZoneInfo("Europe/London")
WEEKDAYS_0845 = [{"weekday": d, "start": "08:45", "end": "15:15"} for d in range(5)]


@pytest.fixture
def clock():
    # Made on the Friday before; each test moves on to its moment.
    with time_machine.travel(datetime(2026, 2, 27, 7, 0, tzinfo=LONDON), tick=False) as t:
        yield t


@pytest.fixture
def room(clock, world):
    world.setting_a.session_times = WEEKDAYS_0845
    world.setting_a.save()
    world.deputy = f.staff(world.setting_a, "deputy", name="Dev Deputy")
    world.helper = f.staff(world.setting_a, "practitioner", name="Hal Helper")
    return world


def at(clock, day, hour, minute=0):
    clock.move_to(datetime(2026, 3, day, hour, minute, tzinfo=LONDON))


def notice(page: str) -> str:
    start = page.index('id="publish-notice"')
    return page[start : page.index("</div>", start)]


def test_capture_page_outside_session_times_shows_the_refusal_before_typing(room, web, clock):
    at(clock, 1, 11)  # a Sunday
    page = web(room.helper).get("/observations/new").content.decode()
    told = notice(page)
    assert "it isn't session time" in told
    assert "Mon–Fri 08:45–15:15" in told
    assert "The next session starts Monday at 08:45" in told
    assert "Save draft" in told
    assert "Mia Manager" in told and "Dev Deputy" in told
    # Told at the top, before the form where the observation is typed.
    assert page.index('id="publish-notice"') < page.index('data-capture="new"')


def test_capture_page_in_session_without_a_leader_on_duty_names_who_can_go_on_duty(
    room, web, clock
):
    at(clock, 2, 10)  # Monday morning, no one on duty
    told = notice(web(room.helper).get("/observations/new").content.decode())
    assert "no session leader is on duty" in told
    assert "Ask Dev Deputy or Mia Manager to go on duty" in told


def test_capture_page_says_who_supervises_when_publishing_is_allowed(room, web, clock):
    at(clock, 2, 10)
    DutyPeriod.objects.create(setting=room.setting_a, leader=room.manager)
    page = web(room.helper).get("/observations/new").content.decode()
    assert "You can publish now: Mia Manager is on duty" in page
    # The server agrees: publishing works and names the supervisor.
    client = web(room.helper)
    response = client.post(
        "/observations/new",
        {"children": [str(room.child.pk)], "text": "Shared", "observed_on": "2026-03-02"},
    )
    assert response.status_code == 302
    assert Observation.objects.get(text="Shared").supervisor == room.manager


def test_key_people_see_no_refusal_outside_session_times(room, web, clock):
    at(clock, 1, 11)
    page = web(room.key_person).get("/observations/new").content.decode()
    assert 'id="publish-notice"' not in page


def test_a_draft_can_be_saved_outside_session_times_but_not_published(room, web, clock):
    at(clock, 1, 11)
    client = web(room.helper)
    response = client.post(
        "/observations/new",
        {
            "children": [str(room.child.pk)],
            "text": "Sunday note",
            "observed_on": "2026-03-01",
            "action": "draft",
        },
    )
    assert response.status_code == 302
    draft = Observation.objects.get(text="Sunday note")
    assert draft.status == "draft"
    # Publishing the draft later follows the same rule as publishing at once.
    response = client.post(f"/observations/{draft.pk}/publish")
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    at(clock, 2, 10)
    DutyPeriod.objects.create(setting=room.setting_a, leader=room.deputy)
    assert web(room.helper).post(f"/observations/{draft.pk}/publish").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.supervisor == room.deputy


def test_going_on_duty_on_a_sunday_tells_the_truth_about_session_times(room, web, clock):
    at(clock, 1, 11)
    client = web(room.manager)
    page = html.unescape(client.post("/dashboard/duty", {"on": "1"}, follow=True).content.decode())
    assert (
        "You're on duty. Practitioners can record observations during session times "
        "(Mon–Fri 08:45–15:15); the next session starts Monday at 08:45." in page
    )
    assert "can record observations now" not in page


def test_going_on_duty_in_session_says_until_when(room, clock):
    at(clock, 3, 9)
    assert duty_started_message(room.setting_a) == (
        "You're on duty. Practitioners can record observations now, until 15:15."
    )
    at(clock, 3, 7)
    assert duty_started_message(room.setting_a).endswith("the next session starts today at 08:45.")
    at(clock, 3, 16)  # Tuesday after the session
    assert duty_started_message(room.setting_a).endswith(
        "the next session starts Wednesday at 08:45."
    )
    room.setting_a.session_times = []
    assert "no session times are listed" in duty_started_message(room.setting_a)


def test_session_times_summary_joins_runs_of_days(db):
    setting = f.SettingFactory(
        session_times=[
            *WEEKDAYS_0845[:3],
            {"weekday": 4, "start": "08:45", "end": "15:15"},
            {"weekday": 3, "start": "09:00", "end": "12:00"},
        ]
    )
    assert session_times_summary(setting) == "Mon–Wed 08:45–15:15, Thu 09:00–12:00, Fri 08:45–15:15"

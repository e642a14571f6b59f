"""Issue 13: a staff member's clearance is cached between requests, and every change that
decides it (a check recorded, a status check, a lapse at midnight) is seen at once."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acorn.conftest import ApiClient
from acorn.core.tests import factories as f
from acorn.suitability import services
from acorn.suitability.models import UpdateServiceSubscription

pytestmark = pytest.mark.django_db


def _suitability_queries(api, path="/children") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return sum("suitability_" in q["sql"] for q in queries)


def test_a_cleared_staff_members_later_requests_ask_nothing_about_their_checks(world):
    api = ApiClient(world.key_person)
    api.get("/children")
    assert _suitability_queries(api) == 0


def test_a_status_check_with_new_information_closes_the_gate_on_the_next_request(world):
    api = ApiClient(world.key_person)
    assert api.get("/children").status_code == 200
    services.status_check_record(
        setting=world.setting_a,
        person=world.key_person,
        recorded_by=world.manager,
        checked_on=date.today(),
        result="new_information",
    )
    answer = api.get("/children")
    assert answer.status_code == 403
    assert answer.json()["code"] == "checks_incomplete"


def test_checks_completed_open_the_gate_on_the_next_request(world):
    newcomer = f.staff(world.setting_a, cleared=False)
    api = ApiClient(newcomer)
    assert api.get("/children").status_code == 403
    f.clear(newcomer, world.setting_a)
    assert api.get("/children").status_code == 200


def test_a_record_removed_closes_the_gate_on_the_next_request(world):
    api = ApiClient(world.key_person)
    assert api.get("/children").status_code == 200
    UpdateServiceSubscription.objects.get(person=world.key_person).delete()
    assert api.get("/children").status_code == 403


def test_a_subscription_lapsing_at_midnight_closes_the_gate_the_next_day(world):
    subscription = UpdateServiceSubscription.objects.get(person=world.key_person)
    subscription.renews_on = date(2027, 3, 2)
    subscription.save()
    with time_machine.travel("2027-03-02 12:00:00+00:00", tick=False):
        api = ApiClient(world.key_person)
        assert api.get("/children").status_code == 200
        assert api.get("/children").status_code == 200
    with time_machine.travel("2027-03-03 09:00:00+00:00", tick=False):
        # A new sign-in (a staff token ends after the idle time), same cached clearance key
        # but for the date: the lapse counts from the first request of the day.
        assert ApiClient(world.key_person).get("/children").status_code == 403


def test_a_check_recorded_in_one_setting_does_not_clear_the_person_in_another(world):
    both = f.staff(world.setting_a)
    f.MembershipFactory(user=both, setting=world.setting_b)
    api = ApiClient(both)
    assert api.get("/children").status_code == 200
    kids = {c["id"] for c in api.get("/children").json()["items"]}
    assert str(world.far_child.pk) not in kids
    f.clear(both, world.setting_b)
    kids = {c["id"] for c in api.get("/children").json()["items"]}
    assert str(world.far_child.pk) in kids and str(world.child.pk) in kids


def test_todays_register_reads_the_records_once_and_shows_a_new_check_at_once(world, web):
    """Today's clearance register shares each member's cached answer (issue 13): a second
    visit reads no suitability record, and a check recorded or removed changes the
    register on the very next visit."""

    newcomer = f.staff(world.setting_a, cleared=False, name="Nia Newcomer")
    leader = web(world.manager)
    assert leader.get("/dashboard/").status_code == 200
    assert _suitability_queries(leader, "/dashboard/") == 0

    def row(name):
        html = leader.get("/dashboard/").content.decode()
        start = html.index(name)
        return html[start : html.index("</tr>", start)]

    assert "Cleared" not in row("Nia Newcomer")
    f.clear(newcomer, world.setting_a)
    assert "Cleared" in row("Nia Newcomer")
    assert "Cleared" in row("Kate Key")
    UpdateServiceSubscription.objects.get(person=world.key_person).delete()
    assert "Cleared" not in row("Kate Key")


def test_a_process_keeps_the_answers_it_has_read_without_asking_the_shared_cache_again(
    world, monkeypatch
):
    """Each process keeps the answers it has read from the shared cache (Redis in
    production) under the same keys: a later request asks the shared cache nothing, a
    check recorded changes the key (so the answer, at once), and an answer is kept no
    longer than the shared cache keeps it."""
    from django.core.cache import cache

    from acorn.suitability import selectors

    asked = []
    get, get_many = cache.get, cache.get_many
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: asked.append(key) or get(key, *a, **k))
    monkeypatch.setattr(
        cache, "get_many", lambda keys, *a, **k: asked.extend(keys) or get_many(keys, *a, **k)
    )
    setting = world.setting_a
    newcomer = f.staff(setting, cleared=False, name="Nia Newcomer")
    assert not selectors.clearance_of(f.fresh(newcomer), setting).cleared
    selectors.clearance_register(setting)  # the register's answers are known here too
    asked.clear()
    assert not selectors.clearance_of(f.fresh(newcomer), setting).cleared
    register = {m.user_id: c for m, c in selectors.clearance_register(setting)}
    assert not register[newcomer.pk].cleared and register[world.key_person.pk].cleared
    assert asked == []  # everything known here
    # Checks recorded: a new stamp, a new key, the new answer at once, for both readers.
    f.clear(newcomer, setting)
    assert selectors.clearance_of(f.fresh(newcomer), setting).cleared
    register = {m.user_id: c for m, c in selectors.clearance_register(setting)}
    assert register[newcomer.pk].cleared
    # An answer past the shared cache's time is asked for again.
    asked.clear()
    for key, (answer, _until) in list(selectors._KNOWN_HERE.items.items()):
        selectors._KNOWN_HERE.items[key] = (answer, 0)
    assert selectors.clearance_of(f.fresh(newcomer), setting).cleared
    assert len(asked) == 1

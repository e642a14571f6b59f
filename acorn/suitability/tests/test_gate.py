"""The suitability gate (A-5): every way it opens and closes, with frozen time."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.suitability import services
from acorn.suitability.selectors import compute_clearance

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)  # a Monday


@pytest.fixture
def frozen():
    # Ticking, so that records made one after another have different times. Requested
    # before `world`, so accounts are created inside the frozen calendar.
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def newcomer(world):
    return f.staff(world.setting_a, "practitioner", cleared=False, name="Nina New")


def record_all(world, person, on):
    """What the manager records and what the person signs, on day `on`."""
    setting = world.setting_a
    services.dbs_check_record(
        setting=setting,
        person=person,
        recorded_by=world.manager,
        certificate_number="001122334455",
        issued_on=on - timedelta(days=10),
        barred_list=True,
        original_seen=True,
    )
    services.update_service_record(
        setting=setting,
        person=person,
        recorded_by=world.manager,
        subscription_id="C7654321",
        renews_on=on + timedelta(days=365),
    )
    for kind in ("online_safety", "self_declaration"):
        services.declaration_sign(
            setting=setting, person=person, kind=kind, signature_name=person.name
        )


def missing(person, setting):
    return compute_clearance(person, setting).missing


def test_new_staff_member_sees_no_child_and_is_told_what_is_missing(world, web, newcomer):
    client = web(newcomer)
    for path in (
        "/children/",
        f"/children/{world.child.pk}/",
        f"/children/{world.child.pk}/journal",
        "/observations/new",
    ):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 403, path
        assert "Xander" not in page and "Yasmin" not in page
        assert "enhanced DBS check" in page and "Mia Manager" in page
    obs = f.observation(author=world.key_person, children=[world.child], text="Secret tower")
    response = client.get(f"/observations/{obs.pk}/")
    assert response.status_code == 403 and "Secret tower" not in response.content.decode()
    # Another setting's child is still "not found", not "checks incomplete".
    assert client.get(f"/children/{world.far_child.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="refused.checks_incomplete").exists()


def test_api_answers_checks_incomplete_for_uncleared_staff(world, api, newcomer):
    client = api(newcomer)
    for path in ("/children", f"/children/{world.child.pk}", f"/children/{world.child.pk}/journal"):
        response = client.get(path)
        assert response.status_code == 403, path
        body = response.json()
        assert body["code"] == "checks_incomplete"
        assert "dbs_enhanced" in body["missing"] and "Mia Manager" in body["detail"]
    response = client.post(
        "/observations",
        {"children": [str(world.child.pk)], "text": "x", "observed_on": "2026-01-01"},
    )
    assert response.status_code == 403 and response.json()["code"] == "checks_incomplete"
    assert client.get("/me").status_code == 200


def test_gate_opens_when_everything_is_recorded(frozen, world, web, newcomer):
    assert missing(newcomer, world.setting_a) == [
        "dbs_enhanced",
        "update_service",
        "online_safety",
        "self_declaration",
    ]
    record_all(world, newcomer, timezone.localdate())
    assert missing(newcomer, world.setting_a) == []
    page = web(newcomer).get("/children/").content.decode()
    assert "Xander" in page and "Yasmin" in page


def test_self_declaration_older_than_twelve_months_closes_the_gate(frozen, world, newcomer):
    record_all(world, newcomer, timezone.localdate())
    frozen.move_to(START + timedelta(days=364))
    clearance = compute_clearance(newcomer, world.setting_a)
    assert clearance.cleared and "self_declaration" in clearance.expiring
    frozen.move_to(START + timedelta(days=365))  # 2 March 2027: twelve months on
    assert missing(newcomer, world.setting_a) == ["self_declaration"]
    services.declaration_sign(
        setting=world.setting_a, person=newcomer, kind="self_declaration", signature_name="Nina New"
    )
    assert missing(newcomer, world.setting_a) == []


def test_lapsed_update_service_subscription_closes_the_gate(frozen, world, newcomer):
    record_all(world, newcomer, timezone.localdate())
    services.update_service_record(
        setting=world.setting_a,
        person=newcomer,
        recorded_by=world.manager,
        subscription_id="C7654321",
        renews_on=date(2026, 3, 20),
    )
    assert compute_clearance(newcomer, world.setting_a).expiring == ["update_service"]
    frozen.move_to(datetime(2026, 3, 20, 23, 59, tzinfo=LONDON))
    assert missing(newcomer, world.setting_a) == []  # renews today: still valid
    frozen.move_to(datetime(2026, 3, 21, 0, 1, tzinfo=LONDON))
    assert missing(newcomer, world.setting_a) == ["update_service"]


@pytest.mark.parametrize("result", ["new_information", "not_current"])
def test_status_check_with_new_information_closes_until_a_clean_newer_check(
    frozen, world, newcomer, result
):
    record_all(world, newcomer, timezone.localdate())
    recorded = {"setting": world.setting_a, "person": newcomer, "recorded_by": world.manager}
    services.status_check_record(**recorded, checked_on=date(2026, 3, 2), result=result)
    assert missing(newcomer, world.setting_a) == ["dbs_enhanced"]
    frozen.shift(timedelta(days=3))
    services.status_check_record(
        **recorded, checked_on=date(2026, 3, 5), result="no_new_information"
    )
    assert missing(newcomer, world.setting_a) == []


def test_a_new_dbs_certificate_reopens_after_new_information(frozen, world, newcomer):
    record_all(world, newcomer, timezone.localdate())
    recorded = {"setting": world.setting_a, "person": newcomer, "recorded_by": world.manager}
    services.status_check_record(**recorded, checked_on=date(2026, 3, 1), result="new_information")
    assert missing(newcomer, world.setting_a) == ["dbs_enhanced"]
    services.dbs_check_record(
        **recorded,
        certificate_number="009988776655",
        issued_on=date(2026, 3, 2),
        barred_list=True,
        original_seen=True,
    )
    assert missing(newcomer, world.setting_a) == []


def test_the_latest_status_check_counts(frozen, world, newcomer):
    record_all(world, newcomer, timezone.localdate())
    recorded = {"setting": world.setting_a, "person": newcomer, "recorded_by": world.manager}
    services.status_check_record(
        **recorded, checked_on=date(2026, 2, 1), result="no_new_information"
    )
    services.status_check_record(**recorded, checked_on=date(2026, 3, 1), result="new_information")
    assert missing(newcomer, world.setting_a) == ["dbs_enhanced"]


def test_gate_closes_at_once_for_a_signed_in_session(frozen, world, web):
    client = web(world.key_person)
    assert client.get("/children/").status_code == 200
    services.status_check_record(
        setting=world.setting_a,
        person=world.key_person,
        recorded_by=world.manager,
        checked_on=date(2026, 3, 2),
        result="new_information",
    )
    assert client.get("/children/").status_code == 403


def test_uncleared_session_leader_can_record_their_own_checks(frozen, db, web):
    setting = f.SettingFactory(name="New Shoots")
    manager = f.staff(setting, "manager", cleared=False, name="Fay First")
    client = web(manager)
    assert client.get("/").url == "/dashboard/"
    page = client.get("/dashboard/").content.decode()
    assert "Checks incomplete" in page and "can't apply until you list your networks" in page
    assert client.get("/staff/").status_code == 200
    assert client.get("/children/").status_code == 403
    path = f"/staff/{manager.pk}/suitability"
    assert client.get(path).status_code == 200
    client.post(
        path,
        {
            "kind": "dbs_enhanced",
            "dbs_enhanced-certificate_number": "0011 2233 4455",
            "dbs_enhanced-issued_on": "2026-01-10",
            "dbs_enhanced-barred_list": "on",
            "dbs_enhanced-original_seen": "on",
        },
    )
    client.post(
        path,
        {
            "kind": "update_service",
            "update_service-subscription_id": "C1112223",
            "update_service-renews_on": "2027-01-10",
        },
    )
    for kind in ("online_safety", "self_declaration"):
        client.post("/account/declarations/", {"kind": kind, f"{kind}-signature_name": "Fay First"})
    assert client.get("/children/").status_code == 200
    actions = set(AuditEvent.objects.filter(actor_id=manager.pk).values_list("action", flat=True))
    assert {
        "suitability.dbs_enhanced",
        "suitability.update_service",
        "suitability.online_safety",
        "suitability.self_declaration",
    } <= actions


def test_dbs_check_needs_barred_list_and_original_seen(world, web, newcomer):
    response = web(world.manager).post(
        f"/staff/{newcomer.pk}/suitability",
        {
            "kind": "dbs_enhanced",
            "dbs_enhanced-certificate_number": "001122334455",
            "dbs_enhanced-issued_on": "2026-01-10",
        },
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert missing(newcomer, world.setting_a)[0] == "dbs_enhanced"


def test_register_page_three_people(world, web, newcomer):
    path = f"/staff/{newcomer.pk}/suitability"
    assert "Checks for Nina New" in web(world.manager).get(path).content.decode()
    assert web(world.key_person).get(path).status_code == 403
    assert web(world.parent).get(path).status_code == 403
    assert web(world.other_manager).get(path).status_code == 404


def test_recording_checks_needs_a_recent_sign_in(world, web, newcomer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = web(world.manager)
        traveller.shift(timedelta(minutes=6))
        response = client.get(f"/staff/{newcomer.pk}/suitability")
        assert response.status_code == 302 and response.url.startswith("/confirm-it-is-you/")


def test_staff_who_are_also_parents_still_see_their_own_child(world, web):
    mum = f.staff(world.setting_a, "practitioner", cleared=False, name="Mo Mum")
    f.parent_of(world.child, user=mum)
    client = web(mum)
    assert client.get(f"/children/{world.child.pk}/journal").status_code == 200
    assert client.get(f"/children/{world.other_child.pk}/journal").status_code == 403


def test_declarations_page_three_people(world, web, newcomer):
    page = web(newcomer).get("/account/declarations/").content.decode()
    assert "Online safety staff declaration" in page and "self-declaration" in page.lower()
    assert web(world.parent).get("/account/declarations/").status_code == 403
    response = web(world.other_manager).post(
        "/account/declarations/",
        {"kind": "online_safety", "online_safety-signature_name": "Bea Boss"},
    )
    assert response.status_code == 302
    from acorn.suitability.models import Declaration

    signed = Declaration.objects.filter(person=world.other_manager, kind="online_safety").latest(
        "recorded_at"
    )
    assert signed.setting == world.setting_b and signed.version and "1.6" in signed.text


def _queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_gate_costs_a_fixed_number_of_queries(world, web):
    client = web(world.key_person)
    few = _queries(client, "/children/")
    for _ in range(3):
        f.clear(world.key_person, world.setting_a)  # more history to look through
        f.ChildFactory(setting=world.setting_a, key_person=world.key_person)
    assert _queries(client, "/children/") == few


def test_the_dashboard_costs_a_fixed_number_of_queries(world, web):
    client = web(world.manager)
    _queries(client, "/dashboard/")  # the manager's own clearance is cached from here on
    few = _queries(client, "/dashboard/")
    for _ in range(5):
        f.staff(world.setting_a)
    f.staff(world.setting_a, cleared=False)
    # (checks recorded in this process make the manager's cached clearance be read again)
    _queries(client, "/dashboard/")
    assert _queries(client, "/dashboard/") == few

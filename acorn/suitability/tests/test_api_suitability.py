"""The suitability calls of API.md, with the three people and the codes."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f

DBS = {
    "kind": "dbs_enhanced",
    "certificate_number": "001122334455",
    "issued_on": "2026-01-05",
    "barred_list": True,
    "original_seen": True,
}


@pytest.fixture
def newcomer(world):
    return f.staff(world.setting_a, "practitioner", cleared=False, name="Nina New")


def test_session_leader_records_checks_and_person_signs_until_cleared(world, api, newcomer):
    manager, nina = api(world.manager), api(newcomer)
    path = f"/staff/{newcomer.pk}/checks"
    response = manager.post(path, DBS)
    assert response.status_code == 201, response.content
    assert response.json()["missing"] == ["update_service", "online_safety", "self_declaration"]
    assert (
        manager.post(
            path, {"kind": "update_service", "subscription_id": "C1", "renews_on": "2099-01-01"}
        ).status_code
        == 201
    )
    response = manager.post(
        path, {"kind": "status_check", "checked_on": "2026-01-06", "result": "no_new_information"}
    )
    assert response.status_code == 201
    for kind in ("online_safety", "self_declaration"):
        response = nina.post("/me/declarations", {"kind": kind, "signature_name": "Nina New"})
        assert response.status_code == 201 and response.json()["version"]
    clearance = nina.get(f"/staff/{newcomer.pk}/clearance").json()
    assert clearance["cleared"] is True and clearance["missing"] == []
    assert nina.get("/children").status_code == 200
    staff = manager.get(f"/settings/{world.setting_a.pk}/staff").json()["items"]
    assert {s["name"]: s["cleared"] for s in staff}["Nina New"] is True
    assert AuditEvent.objects.filter(action="suitability.dbs_enhanced").count() == 1


def test_checks_three_people_and_codes(world, api, newcomer):
    path = f"/staff/{newcomer.pk}/checks"
    assert api(world.key_person).post(path, DBS).json()["code"] == "forbidden"
    assert api(world.parent).post(path, DBS).status_code == 404
    assert api(world.other_manager).post(path, DBS).status_code == 404
    assert api(world.manager).post(path, {**DBS, "barred_list": False}).status_code == 422
    assert api(world.manager).post(path, {"kind": "dbs_enhanced"}).json()["code"] == "invalid"
    assert api(world.manager).post(path, {"kind": "passport"}).status_code == 422
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert api(world.manager).post(path, {**DBS, "issued_on": future}).status_code == 422


def test_a_session_leader_records_their_own_checks_while_not_cleared(db, api):
    setting = f.SettingFactory()
    manager = f.staff(setting, "manager", cleared=False)
    client = api(manager)
    assert client.get(f"/settings/{setting.pk}/staff").status_code == 200
    assert client.post(f"/staff/{manager.pk}/checks", DBS).status_code == 201
    assert client.get("/children").json()["code"] == "checks_incomplete"


def test_recording_checks_needs_a_token_from_the_last_five_minutes(world, api, newcomer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = api(world.manager)
        traveller.shift(timedelta(minutes=6))
        response = client.post(f"/staff/{newcomer.pk}/checks", DBS)
        assert response.status_code == 403
        assert response.json()["code"] == "reauthentication_required"


def test_clearance_three_people(world, api, newcomer):
    path = f"/staff/{newcomer.pk}/clearance"
    assert api(newcomer).get(path).json()["missing"][0] == "dbs_enhanced"
    assert api(world.manager).get(path).json()["cleared"] is False
    assert api(world.key_person).get(path).status_code == 403
    assert api(world.parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404


def test_clearance_lists_what_expires_within_30_days(world, api):
    api(world.manager).post(
        f"/staff/{world.key_person.pk}/checks",
        {
            "kind": "update_service",
            "subscription_id": "C2",
            "renews_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    body = api(world.key_person).get(f"/staff/{world.key_person.pk}/clearance").json()
    assert body["cleared"] is True and body["expiring"] == ["update_service"]


def test_declarations_are_for_staff_only(world, api):
    body = {"kind": "online_safety", "signature_name": "Pat Parent"}
    assert api(world.parent).post("/me/declarations", body).json()["code"] == "forbidden"
    assert (
        api(world.key_person).post("/me/declarations", {**body, "signature_name": ""}).status_code
        == 422
    )
    assert (
        api(world.key_person).post("/me/declarations", {**body, "kind": "other"}).status_code == 422
    )


def test_staff_list_three_people(world, api):
    path = f"/settings/{world.setting_a.pk}/staff"
    items = api(world.manager).get(path).json()["items"]
    assert all(item["cleared"] for item in items)
    assert api(world.key_person).get(path).json()["code"] == "forbidden"
    assert api(world.parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404

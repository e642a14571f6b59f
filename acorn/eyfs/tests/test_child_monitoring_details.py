"""The child record's monitoring details (sex, SEND, EAL, funding, EYPP, room): staff
only, never in a parent's page or API answer."""

from acorn.audit.models import AuditEvent
from acorn.children.models import Child

DETAILS = {
    "sex": "female",
    "send_stage": "sen_support",
    "eal": True,
    "home_language": "Polish",
    "funded_entitlement": "30h",
    "two_year_funding": False,
    "eypp": True,
    "room": "Acorns",
}
KEYS = set(DETAILS)


def test_session_leader_records_monitoring_details_through_the_api(world, api):
    response = api(world.manager).patch(f"/children/{world.child.pk}", DETAILS)
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in KEYS} == DETAILS
    child = Child.objects.get(pk=world.child.pk)
    assert child.send_stage == "sen_support" and child.home_language == "Polish"
    event = AuditEvent.objects.filter(action="child.update", child_id=child.pk).latest("at")
    assert set(event.detail["fields"]) == KEYS - {"two_year_funding"}  # already False


def test_staff_see_monitoring_details_in_the_api(world, api):
    Child.objects.filter(pk=world.child.pk).update(send_stage="ehc_plan", eal=True)
    body = api(world.key_person).get(f"/children/{world.child.pk}").json()
    assert body["send_stage"] == "ehc_plan" and body["eal"] is True
    listed = api(world.key_person).get("/children").json()["items"]
    assert all(KEYS <= set(item) for item in listed)


def test_parent_never_sees_monitoring_details(world, api, web):
    Child.objects.filter(pk=world.child.pk).update(
        send_stage="ehc_plan", eal=True, home_language="Polish", room="Acorns"
    )
    body = api(world.parent).get(f"/children/{world.child.pk}").json()
    assert not KEYS & set(body)
    for item in api(world.parent).get("/children").json()["items"]:
        assert not KEYS & set(item)
    page = web(world.parent).get(f"/children/{world.child.pk}/").content.decode()
    assert "Polish" not in page and "Education, health and care plan" not in page
    assert "For monitoring" not in page


def test_other_setting_and_other_parent_cannot_change_monitoring_details(world, api):
    path = f"/children/{world.child.pk}"
    assert api(world.other_manager).patch(path, {"eypp": True}).status_code == 404
    assert api(world.other_parent).patch(path, {"eypp": True}).status_code == 404
    assert api(world.parent).patch(path, {"eypp": True}).status_code == 403
    assert api(world.key_person).patch(path, {"eypp": True}).status_code == 403
    assert Child.objects.get(pk=world.child.pk).eypp is False


def test_unknown_send_stage_is_refused(world, api):
    response = api(world.manager).patch(f"/children/{world.child.pk}", {"send_stage": "maybe"})
    assert response.status_code == 422


def test_profile_edit_page_saves_monitoring_details(world, web):
    client = web(world.manager)
    child = world.child
    response = client.post(
        f"/children/{child.pk}/edit",
        {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth.isoformat(),
            "start_date": child.start_date.isoformat(),
            "key_person": str(child.key_person_id),
            "room": "Oak room",
            "sex": "male",
            "send_stage": "sen_support",
            "eal": "on",
            "home_language": "Urdu",
            "funded_entitlement": "15h",
            "two_year_funding": "on",
            "eypp": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    child.refresh_from_db()
    assert (child.room, child.sex, child.send_stage, child.home_language) == (
        "Oak room",
        "male",
        "sen_support",
        "Urdu",
    )
    assert child.eal and child.two_year_funding and child.eypp
    page = client.get(f"/children/{child.pk}/").content.decode()
    assert "For monitoring" in page and "Urdu" in page and "SEN support" in page

"""Devices in the API (API.md "Devices"): the register, the sign-out sheet (D-2) and a
device reported missing (D-3), for the person it is for, a parent and another setting."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.devices.models import Device, SignOut


def _request(client, device, person, **overrides):
    body = {
        "person_id": str(person.pk),
        "reason": "Home visit with the family",
        "expected_back": (timezone.now() + timedelta(days=1)).isoformat(),
        "signature_name": person.name,
        **overrides,
    }
    return client.post(f"/devices/{device.pk}/signouts", body)


def test_session_leader_registers_and_lists_devices(world, api):
    client = api(world.manager)
    response = client.post(
        f"/settings/{world.setting_a.pk}/devices",
        {"name": "Green iPad", "kind": "tablet", "serial": "DMPX1", "asset_tag": "AT-7"},
    )
    assert response.status_code == 201
    assert response.json()["state"] == "in_setting"
    items = client.get(f"/settings/{world.setting_a.pk}/devices").json()["items"]
    assert [(d["name"], d["kind"], d["state"], d["signed_out_to"]) for d in items] == [
        ("Green iPad", "tablet", "in_setting", None)
    ]
    assert AuditEvent.objects.filter(action="device.register").count() == 1


def test_practitioner_cannot_register_a_device(world, api):
    response = api(world.key_person).post(
        f"/settings/{world.setting_a.pk}/devices", {"name": "X", "kind": "tablet"}
    )
    assert response.status_code == 403


def test_other_setting_and_parents_never_see_the_register(world, api, tablet):
    path = f"/settings/{world.setting_a.pk}/devices"
    for outsider in (world.other_manager, world.parent):
        response = api(outsider).get(path)
        assert response.status_code == 404
        assert "Blue iPad" not in response.content.decode()
        assert api(outsider).post(path, {"name": "Sneaky", "kind": "camera"}).status_code == 404
    assert not Device.objects.filter(name="Sneaky").exists()


def test_other_setting_cannot_enrol_report_or_sign_out_a_device(world, api, tablet):
    other = api(world.other_manager)
    assert other.post(f"/devices/{tablet.pk}/enrol").status_code == 404
    assert other.post(f"/devices/{tablet.pk}/missing", {"note": "x"}).status_code == 404
    assert _request(other, tablet, world.other_manager).status_code == 404
    assert api(world.parent).post(f"/devices/{tablet.pk}/missing", {}).status_code == 404
    tablet.refresh_from_db()
    assert tablet.state == "in_setting"


def test_whole_sign_out_flow(world, api, tablet):
    key = api(world.key_person)
    asked = _request(key, tablet, world.key_person, signature_name="  kate   KEY ")
    assert asked.status_code == 201, asked.content
    assert asked.json()["status"] == "requested"
    signout_id = asked.json()["id"]

    authorised = api(world.manager).post(
        f"/signouts/{signout_id}/authorise", {"signature_name": "Mia Manager"}
    )
    assert authorised.status_code == 200 and authorised.json() == {"status": "out"}
    listed = key.get(f"/settings/{world.setting_a.pk}/devices").json()["items"][0]
    assert listed["state"] == "signed_out"
    assert listed["signed_out_to"] == str(world.key_person.pk)

    returned = key.post(f"/signouts/{signout_id}/return")
    assert returned.status_code == 200 and returned.json() == {"status": "returned"}
    tablet.refresh_from_db()
    assert tablet.state == "in_setting"
    signout = SignOut.objects.get(pk=signout_id)
    assert signout.signature_name == "kate KEY"
    assert signout.authorised_by == world.manager
    assert signout.authoriser_signature == "Mia Manager"
    assert signout.return_recorded_by == world.key_person
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"signout.request", "signout.authorise", "signout.return"} <= actions


def test_staff_without_key_children_are_refused_a_device(world, api, tablet, helper):
    response = _request(api(helper), tablet, helper)
    assert response.status_code == 403
    assert response.json()["code"] == "key_workers_only"
    assert "key person" in response.json()["detail"]
    assert not SignOut.objects.exists()


def test_backup_key_person_is_not_a_key_worker(world, api, tablet, helper):
    world.child.backup_key_person = helper
    world.child.save()
    assert _request(api(helper), tablet, helper).json()["code"] == "key_workers_only"


def test_key_worker_of_another_setting_is_not_a_key_worker_here(world, api, tablet):
    # Kate is key person at A; at B (where she also works) she has no key children.
    f.MembershipFactory(setting=world.setting_b, user=world.key_person)
    f.clear(world.key_person, world.setting_b)
    far = Device.objects.create(setting=world.setting_b, name="Birch iPad", kind="tablet")
    response = _request(api(world.key_person), far, world.key_person)
    assert response.json()["code"] == "key_workers_only"
    assert _request(api(world.key_person), tablet, world.key_person).status_code == 201


def test_uncleared_key_person_cannot_take_a_device(world, api, tablet):
    newcomer = f.staff(world.setting_a, cleared=False, name="Nia New")
    f.ChildFactory(setting=world.setting_a, key_person=newcomer)
    assert _request(api(newcomer), tablet, newcomer).json()["code"] == "checks_incomplete"


def test_signature_must_be_the_takers_own_name(world, api, tablet):
    response = _request(api(world.key_person), tablet, world.key_person, signature_name="Mia")
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_nobody_signs_a_device_out_for_someone_else(world, api, tablet):
    response = _request(api(world.manager), tablet, world.key_person)
    assert response.status_code == 403
    assert not SignOut.objects.exists()


def test_authoriser_signs_with_their_own_name_and_only_leaders_authorise(world, api, tablet):
    signout_id = _request(api(world.key_person), tablet, world.key_person).json()["id"]
    wrong = api(world.manager).post(
        f"/signouts/{signout_id}/authorise", {"signature_name": "Kate Key"}
    )
    assert wrong.status_code == 422
    by_practitioner = api(world.key_person).post(
        f"/signouts/{signout_id}/authorise", {"signature_name": "Kate Key"}
    )
    assert by_practitioner.status_code == 403
    by_other_setting = api(world.other_manager).post(
        f"/signouts/{signout_id}/authorise", {"signature_name": "Bea Boss"}
    )
    assert by_other_setting.status_code == 404
    assert SignOut.objects.get(pk=signout_id).status == "requested"


def test_leader_cannot_authorise_their_own_sign_out(world, api, tablet):
    deputy = f.staff(world.setting_a, "deputy", name="Dee Deputy")
    f.ChildFactory(setting=world.setting_a, key_person=world.manager)
    signout_id = _request(api(world.manager), tablet, world.manager).json()["id"]
    own = api(world.manager).post(
        f"/signouts/{signout_id}/authorise", {"signature_name": "Mia Manager"}
    )
    assert own.status_code == 403
    other = api(deputy).post(f"/signouts/{signout_id}/authorise", {"signature_name": "Dee Deputy"})
    assert other.status_code == 200


def test_a_device_out_cannot_be_signed_out_again(world, api, tablet):
    key = api(world.key_person)
    first = _request(key, tablet, world.key_person).json()["id"]
    second = _request(key, tablet, world.key_person).json()["id"]
    leader = api(world.manager)
    ok = leader.post(f"/signouts/{first}/authorise", {"signature_name": "Mia Manager"})
    assert ok.status_code == 200
    again = leader.post(f"/signouts/{second}/authorise", {"signature_name": "Mia Manager"})
    assert again.status_code == 409
    assert _request(key, tablet, world.key_person).status_code == 409


def test_only_the_taker_or_a_leader_records_the_return(world, api, tablet):
    other_key = f.staff(world.setting_a, name="Omar Other")
    f.ChildFactory(setting=world.setting_a, key_person=other_key)
    signout_id = _request(api(world.key_person), tablet, world.key_person).json()["id"]
    api(world.manager).post(f"/signouts/{signout_id}/authorise", {"signature_name": "Mia Manager"})
    assert api(other_key).post(f"/signouts/{signout_id}/return").status_code == 403
    assert api(world.other_manager).post(f"/signouts/{signout_id}/return").status_code == 404
    assert api(world.manager).post(f"/signouts/{signout_id}/return").status_code == 200


def _device_token(world, api, tablet):
    response = api(world.manager).post(f"/devices/{tablet.pk}/enrol")
    assert response.status_code == 201
    return response.json()["device_token"]


def _token_on_device(user, device_token):
    from django.test import Client

    credentials = {"email": user.email, "password": f.PASSWORD, "device_token": device_token}
    response = Client().post("/api/v1/auth/token", credentials, content_type="application/json")
    return response


def test_token_issued_with_a_device_token_belongs_to_the_device(world, api, tablet):
    device_token = _device_token(world, api, tablet)
    response = _token_on_device(world.key_person, device_token)
    assert response.status_code == 200
    login = AuditEvent.objects.filter(action="login", actor_id=world.key_person.pk).latest("id")
    assert login.detail["device"] == str(tablet.pk)
    audit = api(world.manager).get(f"/settings/{world.setting_a.pk}/audit").json()["items"]
    assert any(e["device_id"] == str(tablet.pk) for e in audit)


def test_a_bad_device_token_gets_no_token(world, api, tablet):
    response = _token_on_device(world.key_person, "made-up")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_missing_device_ends_its_tokens_but_not_the_persons_others(world, api, tablet):
    device_token = _device_token(world, api, tablet)
    on_tablet = _token_on_device(world.key_person, device_token).json()["token"]
    elsewhere = api(world.key_person)
    with_tablet = api()
    with_tablet.token = on_tablet
    assert with_tablet.get("/me").status_code == 200

    reported = api(world.manager).post(f"/devices/{tablet.pk}/missing", {"note": "Left on bus"})
    assert reported.status_code == 200
    assert reported.json()["state"] == "missing"
    assert reported.json()["reported_missing_by"] == str(world.manager.pk)

    refused = with_tablet.get("/me")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"
    assert elsewhere.get("/me").status_code == 200
    # Its credential is revoked: it can't be used for a new sign-in either.
    assert _token_on_device(world.key_person, device_token).status_code == 401
    tablet.refresh_from_db()
    assert tablet.missing_note == "Left on bus" and tablet.reported_missing_at is not None
    assert AuditEvent.objects.filter(action="device.missing", actor_id=world.manager.pk).exists()


def test_found_device_is_re_enrolled_with_a_new_credential(world, api, tablet):
    old = _device_token(world, api, tablet)
    api(world.manager).post(f"/devices/{tablet.pk}/missing", {"note": ""})
    new = _device_token(world, api, tablet)
    assert new != old
    tablet.refresh_from_db()
    assert tablet.state == "in_setting"
    assert _token_on_device(world.key_person, old).status_code == 401
    assert _token_on_device(world.key_person, new).status_code == 200


def test_overdue_return_is_emailed_to_session_leaders_once(world, api, tablet, settings):
    from acorn.devices.services import overdue_reminders_send
    from acorn.ops.schedule import JOBS

    assert "device_overdue_returns" in {job.name for job in JOBS}
    deputy = f.staff(world.setting_a, "deputy", name="Dee Deputy", email="deputy@a.test")
    signout_id = _request(api(world.key_person), tablet, world.key_person).json()["id"]
    api(world.manager).post(f"/signouts/{signout_id}/authorise", {"signature_name": "Mia Manager"})
    assert overdue_reminders_send() == 0
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        outbox = settings.DATA_DIR / "outbox"
        before = set(outbox.glob("*")) if outbox.exists() else set()
        assert overdue_reminders_send() == 2
        assert overdue_reminders_send() == 0
    sent = SignOut.objects.get(pk=signout_id)
    assert sent.overdue_notified_at is not None
    assert deputy.email  # both leaders were told (count above); no child data below
    from django.core import mail as django_mail

    bodies = [m.body for m in getattr(django_mail, "outbox", [])] + [
        p.read_text() for p in (set(outbox.glob("*")) - before if outbox.exists() else [])
    ]
    for body in bodies:
        assert "Xander" not in body and "Yasmin" not in body


def test_off_site_for_one_setting_cannot_read_its_register_while_allowed_in_another(
    world, api, tablet, helper
):
    """The off-site rule is decided per setting (A-6): Hal is key person in Birch (so may
    work from home there) but not in Ash Tree, whose networks are listed."""
    from acorn.org.models import Membership

    world.setting_a.on_site_networks = ["10.0.0.0/8"]
    world.setting_a.save()
    Membership.objects.create(user=helper, setting=world.setting_b, role="practitioner")
    f.clear(helper, world.setting_b)
    f.ChildFactory(setting=world.setting_b, first_name="Bo", key_person=helper)
    from_home = api(helper, REMOTE_ADDR="203.0.113.7")

    response = from_home.get(f"/settings/{world.setting_a.pk}/devices")

    assert (response.status_code, response.json()["code"]) == (403, "off_site")
    assert "Blue iPad" not in response.content.decode()
    assert from_home.get(f"/settings/{world.setting_b.pk}/devices").status_code == 200

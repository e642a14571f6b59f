"""Two-step sign-in (A-3): enrolment, codes, recovery codes, replay, reset."""

from datetime import timedelta

import pyotp
import time_machine
from django.test import Client
from django.utils import timezone

from acorn.accounts.models import ApiToken, TotpDevice
from acorn.audit.models import AuditEvent
from acorn.conftest import signed_in_client
from acorn.core.tests import factories as f


def code_for(secret, at=None):
    return pyotp.TOTP(secret).at(at or timezone.now())


def token(client, email, otp=None):
    data = {"email": email, "password": f.PASSWORD}
    if otp is not None:
        data["otp"] = otp
    return client.post("/api/v1/auth/token", data, content_type="application/json")


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_enrolment_then_login_needs_a_code(world):
    leader = f.staff(world.setting_a, "deputy", mfa=False, email="dee@a.test")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        response = token(client, leader.email)
        assert response.status_code == 200
        raw = response.json()["token"]
        # Until enrolled, the token serves only /me and /me/mfa/*.
        assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
        refused = client.get("/api/v1/children", **bearer(raw))
        assert refused.status_code == 403 and refused.json()["code"] == "mfa_enrolment_required"
        setup = client.post("/api/v1/me/mfa/totp", **bearer(raw)).json()
        assert setup["otpauth_uri"].startswith("otpauth://totp/")
        assert setup["secret"] in setup["otpauth_uri"]
        bad = client.post(
            "/api/v1/me/mfa/totp/confirm",
            {"code": "000000"},
            content_type="application/json",
            **bearer(raw),
        )
        assert bad.status_code == 422
        confirmed = client.post(
            "/api/v1/me/mfa/totp/confirm",
            {"code": code_for(setup["secret"])},
            content_type="application/json",
            **bearer(raw),
        )
        codes = confirmed.json()["recovery_codes"]
        assert confirmed.status_code == 200 and len(codes) == 10
        assert client.get("/api/v1/children", **bearer(raw)).status_code == 200
        # From now on a token needs otp.
        response = token(client, leader.email)
        assert response.status_code == 401 and response.json()["code"] == "mfa_required"
        assert token(client, leader.email, "123456").json()["code"] == "mfa_required"
        traveller.shift(timedelta(seconds=30))
        assert token(client, leader.email, code_for(setup["secret"])).status_code == 200
        # The same code again is a replay.
        assert token(client, leader.email, code_for(setup["secret"])).status_code == 401
        # A recovery code works once.
        assert token(client, leader.email, codes[0]).status_code == 200
        assert token(client, leader.email, codes[0]).status_code == 401
        assert token(client, leader.email, codes[1].upper()).status_code == 200


def test_recovery_codes_are_stored_hashed(world):
    leader = f.staff(world.setting_a, "deputy", mfa=False)
    from acorn.accounts import mfa

    mfa.totp_begin(user=leader)
    device = TotpDevice.objects.get(user=leader)
    codes = mfa.totp_confirm(user=leader, code=code_for(device.secret))
    stored = list(leader.recovery_codes.values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert all(code.replace("-", "") not in "".join(stored) for code in codes)


def test_web_sign_in_with_a_code_and_replay_refused(world):
    secret = TotpDevice.objects.get(user=world.manager).secret
    with time_machine.travel(timezone.now(), tick=False):
        client = Client()
        response = client.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
        assert response.url == "/sign-in/code/"
        assert client.get("/children/").status_code == 302  # not signed in yet
        response = client.post("/sign-in/code/", {"code": "111111"})
        assert response.status_code == 200 and "isn&#x27;t right" in response.content.decode()
        code = code_for(secret)
        assert client.post("/sign-in/code/", {"code": code}).status_code == 302
        assert client.get("/children/").status_code == 200
        assert AuditEvent.objects.filter(
            action="login", actor_id=world.manager.pk, detail__via="web+code"
        ).exists()
        again = Client()
        again.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
        response = again.post("/sign-in/code/", {"code": code})
        assert response.status_code == 200 and again.get("/children/").status_code == 302


def test_web_sign_in_with_a_recovery_code(world):
    client = Client()
    client.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
    raw = f.recovery_code(world.manager)
    assert client.post("/sign-in/code/", {"code": raw}).status_code == 302
    assert client.get("/staff/").status_code == 200
    other = Client()
    other.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
    assert other.post("/sign-in/code/", {"code": raw}).status_code == 200


def test_staff_who_must_enrol_reach_nothing_else_until_they_do(world):
    leader = f.staff(world.setting_a, "deputy", mfa=False, email="dee@a.test")
    client = Client()
    assert client.post("/sign-in/", {"email": leader.email, "password": f.PASSWORD}).url == "/"
    for path in ("/", "/children/", "/staff/", "/account/", f"/children/{world.child.pk}/"):
        assert client.get(path).url == "/account/two-step/", path
    page = client.get("/account/two-step/").content.decode()
    secret = TotpDevice.objects.get(user=leader).secret
    assert secret in page and "otpauth://totp/" in page
    assert secret in client.get("/account/two-step/").content.decode()  # same on reload
    done = client.post("/account/two-step/", {"code": code_for(secret)})
    assert done.status_code == 200 and "recovery codes" in done.content.decode()
    assert client.get("/children/").status_code == 200


def test_practitioners_enrol_only_where_the_setting_says_so(world):
    client = Client()
    client.post("/sign-in/", {"email": "key@a.test", "password": f.PASSWORD})
    assert client.get("/children/").status_code == 200
    world.setting_a.mfa_for_practitioners = True
    world.setting_a.save()
    assert client.get("/children/").url == "/account/two-step/"


def test_manager_resets_a_lost_phone(world, web, api):
    deputy = f.staff(world.setting_a, "deputy", email="dee@a.test")
    phone = api(deputy)
    membership = deputy.memberships.get()
    assert web(world.key_person).post(f"/staff/{membership.pk}/two-step-reset").status_code == 403
    assert web(world.parent).post(f"/staff/{membership.pk}/two-step-reset").status_code == 403
    assert (
        web(world.other_manager).post(f"/staff/{membership.pk}/two-step-reset").status_code == 404
    )
    response = web(world.manager).post(f"/staff/{membership.pk}/two-step-reset")
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=deputy).exists()
    assert phone.get("/me").status_code == 401  # every token ended
    assert ApiToken.objects.filter(user=deputy, revoked_at=None).count() == 0
    assert AuditEvent.objects.filter(action="mfa.reset", object_id=str(deputy.pk)).exists()
    # They set it up again at their next sign-in.
    client = Client()
    client.post("/sign-in/", {"email": deputy.email, "password": f.PASSWORD})
    assert client.get("/children/").url == "/account/two-step/"


def test_mfa_reset_api(world, api):
    deputy = f.staff(world.setting_a, "deputy")
    path = f"/staff/{deputy.pk}/mfa/reset"
    assert api(world.key_person).post(path).json()["code"] == "forbidden"
    assert api(world.parent).post(path).status_code == 404
    assert api(world.other_manager).post(path).status_code == 404
    assert api(world.manager).post(f"/staff/{world.manager.pk}/mfa/reset").status_code == 403
    assert api(world.manager).post(path).status_code == 204


def test_changing_a_role_needs_a_recent_sign_in(world, web):
    membership = world.key_person.memberships.get()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = web(world.manager)
        traveller.shift(timedelta(minutes=6))
        response = client.post(
            f"/staff/{membership.pk}/role",
            {"role": "deputy"},
            HTTP_REFERER="http://testserver/staff/",
        )
        assert response.url == "/confirm-it-is-you/?next=%2Fstaff%2F"
        assert "Confirm it's you" in client.get(response.url).content.decode()
        membership.refresh_from_db()
        assert membership.role == "practitioner"
        confirm = client.post(
            response.url,
            {"password": f.PASSWORD, "code": f.recovery_code(world.manager)},
        )
        # The change that asked is finished with what was posted (its page sends it).
        assert confirm.context["kept"]["path"] == f"/staff/{membership.pk}/role"
        assert client.post(f"/staff/{membership.pk}/role", {"role": "deputy"}).url == "/staff/"
        membership.refresh_from_db()
        assert membership.role == "deputy"


def test_menu_while_two_step_set_up_is_required_offers_only_help_and_sign_out(world):
    leader = f.staff(world.setting_a, "manager", mfa=False, email="newboss@a.test")
    client = Client()
    client.post("/sign-in/", {"email": leader.email, "password": f.PASSWORD})
    page = client.get("/account/two-step/").content.decode()
    header = page.split('<main id="main"')[0]
    assert 'href="/help/"' in header and "Sign out" in header
    for leads_back_to_set_up in ("/children/", "/dashboard/", "/observations/new", "/account/"):
        assert f'href="{leads_back_to_set_up}"' not in header
    enrolled = signed_in_client(world.manager)
    signed_in_header = enrolled.get("/dashboard/").content.decode().split('<main id="main"')[0]
    assert 'href="/children/"' in signed_in_header and "More" in signed_in_header

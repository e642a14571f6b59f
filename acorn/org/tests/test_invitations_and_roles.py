"""Memberships start only when the invited person accepts (issue 8, findings 1, 2 and 12).

The people who broke it: a manager of another setting who invites this setting's
manager, a deputy, staff of two settings and a parent who is also staff."""

import re
import time
import uuid

import pytest
from django.test import Client

from acorn.accounts import reauth
from acorn.accounts.models import Invitation, User
from acorn.core.tests import factories as f
from acorn.org.models import Membership


@pytest.fixture
def invite(api, mailoutbox, django_capture_on_commit_callbacks):
    """Invite through the API as `inviter`; returns the reply and the emailed token."""

    def invite(inviter, setting, email, role="practitioner", name="Typed Name"):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = api(inviter).post(
                f"/settings/{setting.pk}/staff", {"email": email, "name": name, "role": role}
            )
        raw = None
        if mailoutbox:
            raw = re.search(r"/invite/(\S+)", mailoutbox[-1].body).group(1)
        return response, raw

    return invite


def accept(raw, password=f.PASSWORD, name="Whoever"):
    return Client().post(
        f"/api/v1/invitations/{raw}/accept",
        {"name": name, "password": password},
        content_type="application/json",
    )


def test_inviting_another_settings_manager_gives_no_membership_until_they_accept(
    world, api, invite
):
    response, raw = invite(world.other_manager, world.setting_b, "manager@a.test")
    assert response.status_code == 201
    body = response.json()
    # The reply carries only what the inviter typed: not the account's real name or id.
    assert body["name"] == "Typed Name" and "Mia Manager" not in response.content.decode()
    assert body["email"] == "manager@a.test"
    assert body["id"] != str(world.manager.pk)
    assert not Membership.objects.filter(user=world.manager, setting=world.setting_b).exists()

    me = api(world.manager).get("/me").json()
    assert [m["setting_id"] for m in me["memberships"]] == [str(world.setting_a.pk)]
    b_boss = api(world.other_manager)
    staff = b_boss.get(f"/settings/{world.setting_b.pk}/staff").json()["items"]
    assert str(world.manager.pk) not in {s["id"] for s in staff}
    assert b_boss.post(f"/staff/{world.manager.pk}/mfa/reset").status_code == 404
    assert b_boss.get(f"/staff/{world.manager.pk}/clearance").status_code == 404
    assert b_boss.post(f"/staff/{world.manager.pk}/checks", {"kind": "x"}).status_code in (
        404,
        422,
    )

    # Accepting, with the account's own password, starts the membership.
    assert accept(raw).status_code == 201
    membership = Membership.objects.get(user=world.manager, setting=world.setting_b)
    assert membership.role == "practitioner"


def test_pending_invitation_is_listed_by_the_typed_email_only(world, web, invite):
    invite(world.other_manager, world.setting_b, "Manager@A.test", name="Someone Typed")
    page = web(world.other_manager).get("/staff/").content.decode()
    assert "manager@a.test" in page
    assert "Mia Manager" not in page and "Someone Typed" not in page


def test_a_new_person_gets_the_id_they_were_invited_with(world, api, invite):
    response, raw = invite(world.manager, world.setting_a, "nina@a.test", name="Nina New")
    person_id = response.json()["id"]
    assert not Membership.objects.filter(user__email="nina@a.test").exists()
    assert accept(raw, password="a-fine-passphrase", name="Nina New").status_code == 201
    nina = User.objects.get(email="nina@a.test")
    assert str(nina.pk) == person_id
    assert Membership.objects.get(user=nina, setting=world.setting_a).role == "practitioner"


def test_parent_invitation_reply_carries_no_existing_account(world, api):
    response = api(world.manager).post(
        f"/children/{world.child.pk}/parents", {"email": "manager@b.test", "name": "Typed Dad"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Typed Dad" and "Bea Boss" not in response.content.decode()
    assert body["id"] != str(world.other_manager.pk)


def test_deputy_cannot_make_themselves_manager_with_the_web_staff_form(
    world, web, mailoutbox, django_capture_on_commit_callbacks
):
    deputy = f.staff(world.setting_a, "deputy", name="Dee Deputy", email="dee@a.test")
    with django_capture_on_commit_callbacks(execute=True):
        web(deputy).post("/staff/", {"name": "Dee", "email": "dee@a.test", "role": "manager"})
    assert not Invitation.objects.filter(role="manager").exists()
    for mail in mailoutbox:
        raw = re.search(r"/invite/(\S+)", mail.body).group(1)
        accept(raw)
    assert Membership.objects.get(user=deputy).role == "deputy"


def test_deputy_cannot_invite_a_manager_through_the_api(world, invite):
    deputy = f.staff(world.setting_a, "deputy", email="dee@a.test")
    response, raw = invite(deputy, world.setting_a, "dee@a.test", role="manager")
    assert response.status_code == 403 and raw is None
    assert Membership.objects.get(user=deputy).role == "deputy"


def test_accepting_an_invitation_cannot_demote_the_last_manager(world, api, invite):
    deputy = f.staff(world.setting_a, "deputy", email="dee@a.test")
    _response, raw = invite(deputy, world.setting_a, "manager@a.test", role="practitioner")
    refused = accept(raw)
    assert refused.status_code == 409
    assert "manager" in refused.json()["detail"]
    assert Membership.objects.get(user=world.manager).role == "manager"
    # The web page says the same.
    response = Client().post(f"/invite/{raw}", {"name": "Mia", "password": f.PASSWORD})
    assert response.status_code == 200
    assert Membership.objects.get(user=world.manager).role == "manager"


def test_deputy_cannot_demote_a_manager_on_the_web_or_by_invitation(world, web, invite):
    deputy = f.staff(world.setting_a, "deputy", name="Dee Deputy", email="dee@a.test")
    second = f.staff(world.setting_a, "manager", name="Max Second", email="max@a.test")
    manager_row = Membership.objects.get(user=second, setting=world.setting_a)
    client = web(deputy)
    page = client.get("/staff/")
    assert page.status_code == 200
    # The deputy isn't offered "Manager" anywhere, and a manager's role has no form.
    assert [value for value, _ in page.context["roles"]] == ["deputy", "practitioner"]
    assert f'action="/staff/{manager_row.pk}/role"' not in page.content.decode()
    session = client.session
    session[reauth.SESSION_KEY] = time.time()  # just confirmed it's them
    session.save()
    response = client.post(f"/staff/{manager_row.pk}/role", {"role": "practitioner"})
    assert response.status_code in (302, 303)
    manager_row.refresh_from_db()
    assert manager_row.role == "manager"
    # Nor by inviting the manager's email as a practitioner.
    _response, raw = invite(deputy, world.setting_a, "max@a.test", role="practitioner")
    assert accept(raw).status_code in (403, 409)
    manager_row.refresh_from_db()
    assert manager_row.role == "manager"


def test_accepting_a_managers_invitation_follows_the_role_rules_of_a_change(world, invite):
    """An inviter who is no longer a session leader can't grant a role by invitation."""
    deputy = f.staff(world.setting_a, "deputy", email="dee@a.test")
    _response, raw = invite(deputy, world.setting_a, "new@a.test", role="deputy")
    Membership.objects.filter(user=deputy).update(role="practitioner")
    assert accept(raw, password="a-fine-passphrase").status_code == 409
    assert not Membership.objects.filter(user__email="new@a.test").exists()


def test_key_person_refusal_names_no_one(world, api):
    leader = api(world.manager)
    path = f"/children/{world.child.pk}"
    someone = leader.patch(path, {"key_person_id": str(world.other_manager.pk)})
    nobody = leader.patch(path, {"key_person_id": str(uuid.uuid4())})
    assert someone.status_code == nobody.status_code == 422
    assert someone.json()["detail"] == nobody.json()["detail"]
    assert "Bea Boss" not in someone.content.decode()
    assert "not on this setting's staff" in someone.json()["detail"]
    backup = leader.patch(path, {"backup_key_person_id": str(world.other_manager.pk)})
    assert backup.status_code == 422 and "Bea Boss" not in backup.content.decode()


def test_deputy_cannot_make_themselves_manager_with_the_web_role_form(world, web):
    deputy = f.staff(world.setting_a, "deputy", email="dee@a.test")
    membership = deputy.memberships.get()
    web(deputy).post(f"/staff/{membership.pk}/role", {"role": "manager"})
    membership.refresh_from_db()
    assert membership.role == "deputy"


def test_staff_of_two_settings_keep_each_role_when_invited_again(world, invite):
    """Staff of one setting who is a parent in another, invited by that other setting's
    manager: accepting adds that one membership and changes nothing else."""
    f.parent_of(world.far_child, user=world.key_person)
    _response, raw = invite(world.other_manager, world.setting_b, "key@a.test", role="deputy")
    assert accept(raw).status_code == 201
    roles = {m.setting_id: m.role for m in Membership.objects.filter(user=world.key_person)}
    assert roles == {world.setting_a.pk: "practitioner", world.setting_b.pk: "deputy"}

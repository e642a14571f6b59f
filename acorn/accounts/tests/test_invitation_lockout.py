"""Accepting an invitation for an existing account needs that account's password, so
wrong passwords there are failed sign-ins: same count, same lock-out (issue 8, finding 11)."""

import time_machine
from django.test import Client
from django.utils import timezone

from acorn.accounts.services import invitation_create
from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.org.models import Membership


def _invitation_for(world, email="key@a.test"):
    _invitation, raw = invitation_create(
        setting=world.setting_b,
        email=email,
        name="Kate",
        role="practitioner",
        invited_by=world.other_manager,
    )
    return raw


def _accept(raw, password, ip="198.51.100.7"):
    return Client().post(
        f"/api/v1/invitations/{raw}/accept",
        {"name": "Kate", "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_guessing_an_accounts_password_on_an_invitation_locks_it(world):
    raw = _invitation_for(world)
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            assert _accept(raw, "wrong-password-x").status_code == 409
        locked = _accept(raw, f.PASSWORD)
        assert locked.status_code == 429 and locked.json()["code"] == "throttled"
        # The same lock-out as sign-in: the account can't sign in either.
        token = Client().post(
            "/api/v1/auth/token",
            {"email": "key@a.test", "password": f.PASSWORD},
            content_type="application/json",
        )
        assert token.status_code == 429
    assert not Membership.objects.filter(user=world.key_person, setting=world.setting_b).exists()
    failures = AuditEvent.objects.filter(action="login.failed")
    assert failures.count() == 5
    assert all(e.detail["reason"] == "invitation" for e in failures)


def test_web_invitation_page_counts_failures_and_says_when_locked(world):
    raw = _invitation_for(world)
    with time_machine.travel(timezone.now(), tick=False):
        client = Client(REMOTE_ADDR="198.51.100.9")
        for _ in range(5):
            response = client.post(f"/invite/{raw}", {"name": "Kate", "password": "nope-nope-x"})
            assert response.status_code == 200
        response = client.post(f"/invite/{raw}", {"name": "Kate", "password": f.PASSWORD})
        assert response.status_code == 429
        assert "too many failed attempts" in response.content.decode()
    assert not Membership.objects.filter(user=world.key_person, setting=world.setting_b).exists()


def test_a_new_account_choosing_a_weak_password_is_not_a_failed_sign_in(world):
    raw = _invitation_for(world, email="new@b.test")
    for _ in range(6):
        assert _accept(raw, "short").status_code == 422
    assert _accept(raw, "a-fine-passphrase").status_code == 201

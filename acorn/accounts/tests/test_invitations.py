from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from acorn.accounts.models import Invitation, User
from acorn.accounts.services import invitation_create
from acorn.children.models import ParentLink
from acorn.core.tests import factories as f
from acorn.org.models import Membership


def _invite(world, **kwargs):
    defaults = {
        "setting": world.setting_a,
        "email": "new@a.test",
        "name": "New Person",
        "role": "practitioner",
        "invited_by": world.manager,
    }
    return invitation_create(**{**defaults, **kwargs})


def test_invitation_email_carries_a_single_use_link(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, raw = _invite(world)
    assert len(mailoutbox) == 1
    assert f"/invite/{raw}" in mailoutbox[0].body
    assert raw not in Invitation.objects.get().token_hash  # only the hash is stored
    client = Client()
    assert client.get(f"/invite/{raw}").status_code == 200
    response = client.post(f"/invite/{raw}", {"name": "Nia New", "password": "a-fine-passphrase"})
    assert response.status_code == 302
    # Signed in, but a new member of staff sees no children until their checks are recorded.
    page = client.get("/children/")
    assert page.status_code == 403 and "suitability checks" in page.content.decode()
    user = User.objects.get(email="new@a.test")
    assert user.name == "Nia New"
    assert Membership.objects.get(user=user).role == "practitioner"
    # Used once: the link no longer works.
    assert Client().get(f"/invite/{raw}").status_code == 404


def test_expired_invitation_is_refused(world):
    _invitation, raw = _invite(world)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = Client().get(f"/invite/{raw}")
    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_a_new_invitation_replaces_the_old_one(world):
    _first, old = _invite(world)
    _second, new = _invite(world)
    assert Client().get(f"/invite/{old}").status_code == 404
    assert Client().get(f"/invite/{new}").status_code == 200


def test_invitation_cannot_take_over_an_existing_account(world):
    _invitation, raw = _invite(world, email="parent@a.test", role="parent", child=world.other_child)
    response = Client().post(f"/invite/{raw}", {"name": "Mallory", "password": "an-attackers-pass"})
    assert response.status_code == 200
    assert "existing" in response.content.decode() or "already" in response.content.decode()
    assert not ParentLink.objects.filter(parent=world.parent, child=world.other_child).exists()
    # With the account's own password, the second child is linked.
    response = Client().post(f"/invite/{raw}", {"name": "Pat", "password": f.PASSWORD})
    assert response.status_code == 302
    assert ParentLink.objects.filter(parent=world.parent, child=world.other_child).exists()


def test_weak_password_on_acceptance_is_explained(world):
    _invitation, raw = _invite(world)
    response = Client().post(f"/invite/{raw}", {"name": "Nia", "password": "short"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None


def test_garbage_token_is_404(db):
    assert Client().get("/invite/not-a-token").status_code == 404


def test_create_setting_command_prints_an_invitation_url(db, capsys):
    from django.core.management import call_command

    call_command(
        "create_setting",
        "--name",
        "Willow Nursery",
        "--manager-email",
        "boss@willow.test",
        "--manager-name",
        "Wendy Willow",
    )
    url = capsys.readouterr().out.strip()
    assert "/invite/" in url
    token = url.rsplit("/invite/", 1)[1]
    response = Client().post(
        f"/api/v1/invitations/{token}/accept",
        {"name": "Wendy Willow", "password": "willow-tree-pass"},
        content_type="application/json",
    )
    assert response.status_code == 201
    user = User.objects.get(email="boss@willow.test")
    assert Membership.objects.get(user=user).role == "manager"

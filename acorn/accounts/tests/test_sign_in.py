import time

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings

from acorn.accounts.models import User
from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f


def test_sign_in_with_email_and_password_and_audit(world, client):
    response = client.post("/sign-in/", {"email": "KEY@a.test", "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.get("/children/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor_id=world.key_person.pk).exists()


def test_wrong_password_is_refused_with_a_clear_message_and_audited(world, client):
    response = client.post("/sign-in/", {"email": "key@a.test", "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "don&#x27;t match" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.failed").count() == 1
    assert client.get("/children/").status_code == 302


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(db):
    user = User.objects.create_user(email="a@b.test", name="A", password="a-long-password-1")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_staff_session_ends_with_the_browser(world, client):
    client.post("/sign-in/", {"email": "key@a.test", "password": f.PASSWORD})
    assert client.session.get_expire_at_browser_close() is True


def test_parent_session_is_remembered(world, client):
    client.post("/sign-in/", {"email": "parent@a.test", "password": f.PASSWORD})
    assert client.session.get_expire_at_browser_close() is False


def test_staff_are_signed_out_after_the_settings_idle_timeout(world):
    with time_machine.travel(time.time(), tick=False) as traveller:
        client = Client()
        client.post("/sign-in/", {"email": "key@a.test", "password": f.PASSWORD})
        traveller.shift(14 * 60)
        assert client.get("/children/").status_code == 200
        traveller.shift(14 * 60)  # active 14 minutes ago: still fine
        assert client.get("/children/").status_code == 200
        traveller.shift(16 * 60)
        response = client.get("/children/")
        assert response.status_code == 302 and response.url.startswith("/sign-in/")
        assert client.get("/children/").status_code == 302


def test_a_setting_can_choose_a_longer_idle_timeout(world):
    world.setting_a.staff_idle_minutes = 30
    world.setting_a.save()
    with time_machine.travel(time.time(), tick=False) as traveller:
        client = Client()
        client.post("/sign-in/", {"email": "key@a.test", "password": f.PASSWORD})
        traveller.shift(20 * 60)
        assert client.get("/children/").status_code == 200


def test_parents_have_no_staff_idle_timeout(world):
    with time_machine.travel(time.time(), tick=False) as traveller:
        client = Client()
        client.post("/sign-in/", {"email": "parent@a.test", "password": f.PASSWORD})
        traveller.shift(3 * 3600)
        assert client.get(f"/children/{world.child.pk}/journal").status_code == 200


def test_sign_out_everywhere_ends_other_sessions_and_tokens(world, api):
    laptop, phone = Client(), Client()
    for c in (laptop, phone):
        c.post("/sign-in/", {"email": "key@a.test", "password": f.PASSWORD})
    tablet = api(world.key_person)
    assert tablet.get("/me").status_code == 200
    laptop.post("/sign-out-everywhere/")
    assert phone.get("/children/").status_code == 302
    assert laptop.get("/children/").status_code == 302
    assert tablet.get("/me").status_code == 401
    # Signing in again works.
    assert (
        Client().post("/sign-in/", {"email": "key@a.test", "password": f.PASSWORD}).status_code
        == 302
    )


def test_sign_out_needs_post(world, web):
    client = web(world.key_person)
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").status_code == 302
    assert client.get("/children/").status_code == 302


def test_password_change_signs_out_other_devices(world, web):
    laptop, phone = web(world.parent), web(world.parent)
    response = laptop.post(
        "/account/", {"current_password": f.PASSWORD, "new_password": "a-brand-new-passphrase"}
    )
    assert response.status_code == 302
    assert laptop.get(f"/children/{world.child.pk}/journal").status_code == 200
    assert phone.get(f"/children/{world.child.pk}/journal").status_code == 302


def test_password_change_refuses_a_weak_password(world, web):
    client = web(world.parent)
    response = client.post("/account/", {"current_password": f.PASSWORD, "new_password": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_open_redirect_after_sign_in_is_refused(world, client):
    response = client.post(
        "/sign-in/?next=https://evil.example/",
        {"email": "key@a.test", "password": f.PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == "/"


@pytest.mark.django_db
def test_password_reset_by_email(world, client, mailoutbox):
    response = client.post("/password-reset/", {"email": "parent@a.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    link = next(line for line in body.splitlines() if "/password-reset/" in line).strip()
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0]
    response = client.post(
        form_path,
        {"new_password1": "another-good-passphrase", "new_password2": "another-good-passphrase"},
    )
    assert response.status_code == 302
    assert (
        Client()
        .post("/sign-in/", {"email": "parent@a.test", "password": "another-good-passphrase"})
        .status_code
        == 302
    )


def test_password_reset_does_not_reveal_whether_an_account_exists(db, client, mailoutbox):
    response = client.post("/password-reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mailoutbox == []


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_sessions_read_from_the_shared_cache_still_end_everywhere(world):
    """With Redis (ACORN_REDIS_URL) sessions are read from the cache, not the database
    (issue 13). Ending them doesn't depend on where they are kept: signing out everywhere,
    and a password change, still sign every other browser out at once."""
    from django.contrib.sessions.models import Session

    laptop, phone = Client(), Client()
    for c in (laptop, phone):
        c.post("/sign-in/", {"email": "key@a.test", "password": f.PASSWORD})
        assert c.get("/children/").status_code == 200
    # Read from the cache: the database row may go and the session still opens pages.
    Session.objects.filter(session_key=phone.cookies["sessionid"].value).delete()
    assert phone.get("/children/").status_code == 200
    laptop.post("/sign-out-everywhere/")
    assert phone.get("/children/").status_code == 302
    assert laptop.get("/children/").status_code == 302

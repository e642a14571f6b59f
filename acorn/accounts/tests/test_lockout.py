"""Throttling and lock-out of failed sign-ins (A-4)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from acorn.accounts.models import LoginFailure
from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f


def attempt(client, email, password="wrong-password-x", ip="198.51.100.7"):
    return client.post("/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_for_fifteen_minutes(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = Client()
        for _ in range(5):
            assert attempt(client, "key@a.test").status_code == 200
        response = attempt(client, "key@a.test", f.PASSWORD)
        assert response.status_code == 429
        assert "too many failed attempts" in response.content.decode()
        assert client.get("/children/").status_code == 302  # the right password didn't help
        # Another account from the same address is not locked.
        assert attempt(Client(), "manager@a.test", f.PASSWORD).status_code == 302
        traveller.shift(timedelta(minutes=14))
        assert attempt(client, "key@a.test", f.PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=2))
        assert attempt(client, "key@a.test", f.PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="login.failed").count() == 5
    assert AuditEvent.objects.filter(action="refused.throttled").count() == 2


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            attempt(Client(), "key@a.test")
            traveller.shift(timedelta(minutes=4))
        assert attempt(Client(), "key@a.test", f.PASSWORD).status_code == 302


def test_twenty_failures_lock_the_address(world):
    for number in range(20):
        attempt(Client(), f"nobody{number}@a.test", ip="203.0.113.9")
    assert attempt(Client(), "key@a.test", f.PASSWORD, ip="203.0.113.9").status_code == 429
    assert attempt(Client(), "key@a.test", f.PASSWORD, ip="203.0.113.10").status_code == 302


def test_the_api_answers_429_throttled(world):
    client = Client()
    data = {"email": "key@a.test", "password": "nope-nope-nope"}
    for _ in range(5):
        response = client.post("/api/v1/auth/token", data, content_type="application/json")
        assert response.status_code == 401
    data["password"] = f.PASSWORD
    response = client.post("/api/v1/auth/token", data, content_type="application/json")
    assert response.status_code == 429 and response.json()["code"] == "throttled"


def test_wrong_codes_count_as_failures(world):
    client = Client()
    for _ in range(5):
        client.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
        client.post("/sign-in/code/", {"code": "000000"})
    client.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
    assert (
        client.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD}).status_code
        == 429
    )


def _parallel(count, action):
    """Runs `action` in `count` threads released at the same moment; each thread closes
    its own database connection."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(count)
    results = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = action()
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def argon2(settings):
    """The real, slow hasher: the race lives in the time the password check takes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_get_at_most_the_limit_of_401s(argon2):
    setting = f.SettingFactory()
    f.staff(setting, "practitioner", email="racer@a.test")
    data = {"email": "racer@a.test", "password": "nope-nope-nope"}

    def guess():
        return (
            Client()
            .post(
                "/api/v1/auth/token",
                data,
                content_type="application/json",
                REMOTE_ADDR="198.51.100.50",
            )
            .status_code
        )

    statuses = _parallel(24, guess)
    assert len(statuses) == 24
    assert statuses.count(401) <= 5
    assert statuses.count(401) + statuses.count(429) == 24
    data["password"] = f.PASSWORD
    assert (
        Client().post("/api/v1/auth/token", data, content_type="application/json").status_code
        == 429
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_on_the_web_get_at_most_the_limit_through(argon2):
    setting = f.SettingFactory()
    f.staff(setting, "practitioner", email="racer@a.test")

    def guess():
        return attempt(Client(), "racer@a.test", ip="198.51.100.51").status_code

    statuses = _parallel(12, guess)
    assert statuses.count(200) <= 5  # 200 is the form again with "don't match"
    assert statuses.count(429) >= 7


def test_a_success_keeps_the_failures_as_evidence(world):
    with time_machine.travel(timezone.now(), tick=False):
        client = Client()
        for _ in range(3):
            attempt(client, "key@a.test")
        assert attempt(client, "key@a.test", f.PASSWORD).status_code == 302
    assert LoginFailure.objects.filter(email="key@a.test").count() == 3
    assert AuditEvent.objects.filter(action="login.failed").count() == 3


def test_a_success_does_not_reset_the_address_count(world):
    """Someone at a shared iPad who knows their own password can't sign in between
    guesses at colleagues' passwords to wipe the address's count."""
    ip = "203.0.113.20"
    for round_number in range(5):
        for number in range(4):
            attempt(Client(), f"colleague{round_number}{number}@a.test", ip=ip)
        attempt(Client(), "manager@b.test", f.PASSWORD, ip=ip)
    assert attempt(Client(), "key@a.test", f.PASSWORD, ip=ip).status_code == 429


def test_a_success_resets_the_count_for_that_account_only(world):
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(4):
            attempt(Client(), "key@a.test")
        assert attempt(Client(), "key@a.test", f.PASSWORD).status_code == 302
        for _ in range(4):
            attempt(Client(), "key@a.test")
        # Four more after a success: a person who mistypes now and then isn't locked out.
        assert attempt(Client(), "key@a.test", f.PASSWORD).status_code == 302

"""Throttling and lock-out of failed sign-ins (A-4)."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

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

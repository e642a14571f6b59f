"""Hardening (finding 13 of issue 8): nothing with children's data is cached, HTTPS is
decided by configuration, dates observed are sane, and NUL bytes are refused."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from acorn.core.tests import factories as f
from acorn.journal.models import Observation


def _no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_pages_and_api_answers_with_childrens_data_are_never_stored(world, web, api):
    f.observation(author=world.key_person, children=[world.child], text="Painted a sun.")
    staff = web(world.key_person)
    for path in ("/children/", f"/children/{world.child.pk}/", "/observations/drafts", "/help/"):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path
    journal = web(world.parent).get(f"/children/{world.child.pk}/journal")
    assert journal.status_code == 200 and _no_store(journal)
    for path in ("/children", f"/children/{world.child.pk}/journal", "/me"):
        response = api(world.key_person).get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path
    refused = api(world.parent).get(f"/children/{world.far_child.pk}")
    assert refused.status_code == 404 and _no_store(refused)


def test_static_files_may_be_cached(world):
    response = Client().get("/static/acorn/app.css")
    assert response.status_code == 200
    assert not _no_store(response)


def test_hsts_comes_from_configuration_not_from_a_client_header(world, settings):
    settings.HTTPS = True
    settings.DEBUG = False
    plain = Client().get("/sign-in/")
    assert plain["Strict-Transport-Security"].startswith("max-age=31536000")
    settings.HTTPS = False
    forged = Client().get("/sign-in/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in forged


def test_a_client_cannot_claim_https_with_a_header(world, settings):
    """With the https redirect on, only a trusted proxy's X-Forwarded-Proto counts."""
    settings.HTTPS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.ACORN_TRUSTED_PROXIES = ["10.0.0.1/32"]
    forged = Client().get("/sign-in/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.5")
    assert forged.status_code == 301 and forged["Location"].startswith("https://")
    proxied = Client().get("/sign-in/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.1")
    assert proxied.status_code == 200
    assert Client().get("/sign-in/", secure=True).status_code == 200


def _obs(world, **extra):
    return {
        "children": [str(world.child.pk)],
        "text": "Stacked five cups.",
        "observed_on": date.today().isoformat(),
        "areas": ["M"],
        "publish": True,
        **extra,
    }


@pytest.mark.parametrize("observed_on", ["1999-12-31", "0001-01-01", "1900-06-01"])
def test_dates_observed_long_ago_are_refused_in_the_api(world, api, observed_on):
    client = api(world.key_person)
    response = client.post("/observations", _obs(world, observed_on=observed_on))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and "2000" in response.json()["detail"]
    entry = f.observation(author=world.key_person, children=[world.child])
    edited = client.patch(f"/observations/{entry.pk}", {"observed_on": observed_on})
    assert edited.status_code == 422
    entry.refresh_from_db()
    assert entry.observed_on != date.fromisoformat(observed_on)


def test_today_is_decided_in_the_settings_time_zone(world, api):
    """At 23:30 in London it is already tomorrow in Auckland."""
    world.setting_a.timezone = "Pacific/Auckland"
    world.setting_a.save()
    tomorrow = date.today() + timedelta(days=1)
    london = datetime.combine(tomorrow, time(23, 30), tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(london, tick=False):
        client = api(world.key_person)
        auckland_today = tomorrow + timedelta(days=1)
        response = client.post("/observations", _obs(world, observed_on=str(auckland_today)))
        assert response.status_code == 201, response.content
        too_late = auckland_today + timedelta(days=1)
        response = client.post("/observations", _obs(world, observed_on=str(too_late)))
        assert response.status_code == 422


def test_dates_observed_long_ago_are_refused_on_the_web(world, web):
    client = web(world.key_person)
    response = client.post(
        "/observations/new",
        {"children": [str(world.child.pk)], "observed_on": "1999-12-31", "text": "Long ago"},
    )
    assert response.status_code == 200
    assert "2000" in response.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"text": "Stacked\x00 cups"},
        {"next_steps": "More\x00 cups"},
        {"areas": ["M\x00"]},
    ],
)
def test_nul_bytes_are_refused_in_the_api(world, api, payload):
    client = api(world.key_person)
    client.client.raise_request_exception = False
    response = client.post("/observations", _obs(world, **payload))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert not Observation.objects.exists()


def test_nul_bytes_are_refused_in_api_query_strings(world, api):
    client = api(world.key_person)
    client.client.raise_request_exception = False
    response = client.get(f"/settings/{world.setting_a.pk}/audit?child=%00")
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_nul_bytes_in_a_sign_in_are_refused_without_an_error(world):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/auth/token",
        {"email": "key@a.test\x00", "password": "x\x00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    page = client.post("/sign-in/", {"email": "key@a.test\x00", "password": "x\x00y"})
    assert page.status_code == 200 and "Null characters are not allowed" in page.content.decode()


def test_nul_bytes_are_refused_in_web_forms_and_searches(world, web):
    client = web(world.key_person)
    client.raise_request_exception = False
    response = client.post(
        "/observations/new",
        {
            "children": [str(world.child.pk)],
            "observed_on": date.today().isoformat(),
            "text": "a\x00b",
        },
    )
    assert response.status_code == 200 and not Observation.objects.exists()
    assert client.get("/children/", {"q": "Xan\x00der"}).status_code in (200, 400)


def test_a_date_observed_tomorrow_is_refused(world, api):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = api(world.key_person).post("/observations", _obs(world, observed_on=tomorrow))
    assert response.status_code == 422

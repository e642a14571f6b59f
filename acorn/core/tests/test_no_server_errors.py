"""Hostile query strings and requests answer 4xx, never 500; the API always answers in
the JSON error shape of API.md (finding 10 of issue 8)."""

import json

import pytest
from django.test import Client

from acorn.journal.models import MediaItem

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("value", [HUGE, f"-{HUGE}", "1e400", "nan", "0x10"])
def test_journal_page_survives_any_from(world, web, value):
    client = web(world.parent)
    client.raise_request_exception = False
    response = client.get(f"/children/{world.child.pk}/journal", {"from": value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"from": HUGE},
        {"since": "0001-01-01", "until": "9999-12-31"},
        {"until": "9999-12-31"},
        {"child": "not-an-id", "person": "0"},
    ],
)
def test_audit_page_survives_any_query(world, web, query):
    client = web(world.manager)
    client.raise_request_exception = False
    assert client.get("/audit/", query).status_code == 200


def test_review_page_survives_ids_that_are_not_ids(world, web):
    client = web(world.manager)
    client.raise_request_exception = False
    response = client.get("/review/", {"author": "zzz", "child": HUGE, "show": "all"})
    assert response.status_code == 200


def test_api_audit_survives_the_last_day_of_the_calendar(world, api):
    client = api(world.manager)
    client.client.raise_request_exception = False
    response = client.get(f"/settings/{world.setting_a.pk}/audit?until=9999-12-31")
    assert response.status_code in (200, 422)
    assert "code" in response.json() or "items" in response.json()


def test_the_original_of_a_failed_media_item_is_not_a_server_error(world, api, web):
    item = MediaItem.objects.create(
        setting=world.setting_a,
        uploaded_by=world.key_person,
        kind="photo",
        mime="image/jpeg",
        storage_prefix="media/0123456789abcdef",
        original_name="original.jpg",
        size_bytes=10,
        status=MediaItem.Status.FAILED,
        failure_message="This photo couldn't be processed.",
    )
    client = api(world.key_person)
    client.client.raise_request_exception = False
    response = client.get(f"/media/{item.pk}/content?rendition=original")
    assert response.status_code == 409
    assert response.json()["code"] == "media_failed"
    page = web(world.key_person)
    page.raise_request_exception = False
    assert page.get(f"/media/{item.pk}/original").status_code == 404


def _shape(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    return body


def test_unknown_api_paths_answer_json_404(world):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_wrong_method_answers_json_405(world):
    client = Client(raise_request_exception=False)
    response = client.put("/api/v1/auth/token", "{}", content_type="application/json")
    assert response.status_code == 405
    _shape(response)


def test_a_huge_api_body_answers_json_400(world):
    client = Client(raise_request_exception=False)
    body = json.dumps({"email": "a@b.test", "password": "x" * (3 * 1024 * 1024)})
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert _shape(response)["code"] in ("invalid", "too_large")


def test_malformed_json_answers_json_400_or_422(world):
    client = Client(raise_request_exception=False)
    response = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert _shape(response)["code"] == "invalid"

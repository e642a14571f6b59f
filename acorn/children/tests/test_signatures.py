"""Typed signatures mean something: the agreement and consent are signed with the
account holder's own name (case and spacing aside), or the page asks again."""

import pytest

from acorn.children.models import ImageConsent, ParentAgreement
from acorn.core.tests import factories as f


@pytest.fixture
def newcomer(world):
    return f.parent_of(world.child, name="Nina  O'Neill", onboarded=False)


def test_agreement_signed_with_someone_elses_name_is_asked_again(world, web, newcomer):
    client = web(newcomer)
    page = client.post("/children/welcome", {"sign-signature_name": "Mickey Mouse"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Please type your name as it is on your Acorn account" in body
    assert 'id="id_sign-signature_name_error"' in body
    assert not ParentAgreement.objects.filter(parent=newcomer).exists()


def test_agreement_signature_ignores_case_and_spacing(world, web, newcomer):
    client = web(newcomer)
    response = client.post("/children/welcome", {"sign-signature_name": "  nina o’neill "})
    assert response.status_code == 302
    assert ParentAgreement.objects.filter(parent=newcomer).exists()


def test_api_refuses_a_signature_that_is_not_the_account_holders_name(world, api, newcomer):
    client = api(newcomer)
    response = client.post("/me/agreement", {"signature_name": "Someone Else"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert client.post("/me/agreement", {"signature_name": "NINA O'NEILL"}).status_code == 201
    path = f"/api/v1/children/{world.child.pk}/consent"
    headers = client._headers()
    wrong = client.client.put(
        path,
        {"images_in_other_journals": True, "signature_name": "Pat Parent"},
        content_type="application/json",
        **headers,
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid"
    assert not ImageConsent.objects.filter(parent=newcomer).exists()


def test_consent_page_asks_again_for_a_wrong_signature(world, web):
    response = web(world.parent).post(
        "/children/my-consents",
        {"child": str(world.child.pk), "answer": "no", "signature_name": "Pat"},
    )
    assert response.status_code == 200
    assert "Please type your name as it is on your Acorn account" in response.content.decode()
    world.child.refresh_from_db()
    assert world.child.image_consent is True


def test_consent_wording_follows_the_answer(world, web, newcomer):
    client = web(newcomer)
    client.post("/children/welcome", {"sign-signature_name": "Nina O'Neill"})
    body = client.get("/children/welcome").content.decode()
    # Both readings are on the page; the one matching the chosen answer is shown.
    assert "you agree that photos and videos with Xander may appear" in body
    assert "you refuse: photos and videos with Xander will appear only in" in body

    mine = web(world.parent).get("/children/my-consents").content.decode()
    # Pat said yes: the page explains what changing to "No" does, not the other way round.
    assert 'If you change to "No"' in mine and 'If you change to "Yes"' not in mine

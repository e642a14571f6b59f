from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from acorn.accounts.models import ApiToken
from acorn.core.tests import factories as f


def test_openapi_schema_is_public(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/children",
        "/api/v1/children/{child_id}/journal",
        "/api/v1/observations",
    ]:
        assert path in paths


def test_token_is_issued_stored_hashed_and_expires(world, api):
    response = api().post("/auth/token", {"email": "key@a.test", "password": f.PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    stored = ApiToken.objects.get(user=world.key_person)
    assert body["token"] not in stored.token_hash and len(stored.token_hash) == 64
    client = api()
    client.token = body["token"]
    assert client.get("/me").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=13)):
        response = client.get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_bad_credentials_get_401_with_code(world, api):
    response = api().post("/auth/token", {"email": "key@a.test", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "detail" in response.json()


def test_no_token_and_garbage_token_are_401(world, api):
    assert api().get("/me").status_code == 401
    client = api()
    client.token = "garbage"
    response = client.get("/children")
    assert response.status_code == 401
    assert response.json() == {"detail": response.json()["detail"], "code": "unauthenticated"}


def test_logout_revokes_the_token(world, api):
    client = api(world.parent)
    assert client.delete("/auth/token").status_code == 204
    assert client.get("/me").status_code == 401


def test_me_for_staff(world, api):
    body = api(world.manager).get("/me").json()
    assert body["id"] == str(world.manager.pk)
    assert body["email"] == "manager@a.test"
    assert body["memberships"] == [{"setting_id": str(world.setting_a.pk), "role": "manager"}]
    assert body["children"] == []
    assert "password" not in str(body)


def test_me_for_parent_lists_only_their_children(world, api):
    body = api(world.parent).get("/me").json()
    assert body["children"] == [str(world.child.pk)]
    assert body["memberships"] == [{"setting_id": str(world.setting_a.pk), "role": "parent"}]


def test_invalid_json_body_is_422_invalid(world, api):
    response = api().post("/auth/token", {"email": "key@a.test"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_accept_invitation_via_api(world, api, mailoutbox, django_capture_on_commit_callbacks):
    manager = api(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/settings/{world.setting_a.pk}/staff",
            {"email": "newbie@a.test", "name": "Nat Newbie", "role": "practitioner"},
        )
    assert response.status_code == 201
    person_id = response.json()["id"]
    token = mailoutbox[0].body.split("/invite/")[1].split()[0]
    response = api().post(
        f"/invitations/{token}/accept", {"name": "Nat Newbie", "password": "newbie-passphrase"}
    )
    assert response.status_code == 201
    assert response.json()["id"] == person_id
    assert (
        api()
        .post(f"/invitations/{token}/accept", {"name": "Nat", "password": "newbie-passphrase"})
        .status_code
        == 404
    )
    newbie = api()
    newbie.token = newbie.post(
        "/auth/token", {"email": "newbie@a.test", "password": "newbie-passphrase"}
    ).json()["token"]
    assert newbie.get("/me").json()["memberships"][0]["role"] == "practitioner"


def test_staff_tokens_end_after_the_idle_timeout_like_web_sessions(world, api):
    import time

    with time_machine.travel(time.time(), tick=False) as traveller:
        tablet = api(world.key_person)
        traveller.shift(10 * 60)
        assert tablet.get("/me").status_code == 200  # used: the idle clock restarts
        traveller.shift(14 * 60)
        assert tablet.get("/me").status_code == 200
        traveller.shift(16 * 60)
        response = tablet.get("/me")
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
        traveller.shift(60)
        assert tablet.get("/me").status_code == 401  # revoked, not just asleep


def test_parent_tokens_have_no_idle_timeout(world, api):
    import time

    with time_machine.travel(time.time(), tick=False) as traveller:
        phone = api(world.parent)
        traveller.shift(3 * 3600)
        assert phone.get("/me").status_code == 200


def test_two_step_secrets_are_encrypted_at_rest(world):
    from acorn.accounts.models import TotpDevice

    device = TotpDevice.objects.create(user=f.UserFactory(), secret="JBSWY3DPEHPK3PXP")
    stored = TotpDevice.objects.values_list("secret_sealed", flat=True).get(pk=device.pk)
    assert "JBSWY3DPEHPK3PXP" not in stored
    assert TotpDevice.objects.get(pk=device.pk).secret == "JBSWY3DPEHPK3PXP"

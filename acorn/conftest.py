"""Shared fixtures: a small world with the three people every test needs.

Setting A: a manager, a key person and two children of different families.
Setting B: another nursery with its own manager, child and parent.
"""

from types import SimpleNamespace

import pytest
from django.test import Client

from acorn.core.tests import factories as f


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def world(db):
    setting_a = f.SettingFactory(name="Acorn Tree Nursery")
    manager = f.staff(setting_a, "manager", name="Mia Manager", email="manager@a.test")
    key_person = f.staff(setting_a, "practitioner", name="Kate Key", email="key@a.test")
    child = f.ChildFactory(
        setting=setting_a, first_name="Xander", last_name="Young", key_person=key_person
    )
    parent = f.parent_of(child, name="Pat Parent", email="parent@a.test")
    other_child = f.ChildFactory(
        setting=setting_a, first_name="Yasmin", last_name="Zed", key_person=key_person
    )
    other_parent = f.parent_of(other_child, name="Olly Other", email="other-parent@a.test")

    setting_b = f.SettingFactory(name="Birch Pre-school")
    other_manager = f.staff(setting_b, "manager", name="Bea Boss", email="manager@b.test")
    far_child = f.ChildFactory(
        setting=setting_b, first_name="Zoe", last_name="Far", key_person=other_manager
    )
    far_parent = f.parent_of(far_child, email="parent@b.test")
    return SimpleNamespace(**locals())


def _uses_mfa(user) -> bool:
    from acorn.accounts.models import TotpDevice

    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def signed_in_client(user, **extra) -> Client:
    """Signs in through the real pages: password, then a recovery code where two-step
    sign-in is on. `extra` sets request headers, e.g. REMOTE_ADDR."""
    client = Client(**extra)
    response = client.post("/sign-in/", {"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302, response.content
    if response.url.startswith("/sign-in/code/"):
        response = client.post(response.url, {"code": f.recovery_code(user)})
        assert response.status_code == 302, response.content
    return client


class ApiClient:
    """A thin JSON client with a bearer token, as the tablet app uses the API."""

    def __init__(self, user=None, **extra):
        self.client = Client(**extra)
        self.token = None
        if user is not None:
            credentials = {"email": user.email, "password": f.PASSWORD}
            if _uses_mfa(user):
                credentials["otp"] = f.recovery_code(user)
            response = self.client.post(
                "/api/v1/auth/token", credentials, content_type="application/json"
            )
            assert response.status_code == 200, response.content
            self.token = response.json()["token"]

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def post(self, path, data=None):
        return self.client.post(
            f"/api/v1{path}", data or {}, content_type="application/json", **self._headers()
        )

    def patch(self, path, data):
        return self.client.patch(
            f"/api/v1{path}", data, content_type="application/json", **self._headers()
        )

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", **self._headers())


@pytest.fixture
def web():
    return signed_in_client


@pytest.fixture
def api():
    return ApiClient

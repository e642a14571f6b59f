"""The off-site rule (A-6) and the proxy-aware client address."""

import pytest
from django.test import RequestFactory

from acorn.audit.models import AuditEvent
from acorn.audit.services import client_ip
from acorn.core.tests import factories as f

OUTSIDE = {"REMOTE_ADDR": "198.51.100.7"}
INSIDE = {"REMOTE_ADDR": "192.0.2.10"}


@pytest.fixture
def helper(world):
    """A practitioner with no key children: not a key worker."""
    return f.staff(world.setting_a, "practitioner", name="Hal Helper")


def list_networks(setting, networks=("192.0.2.0/24",), proxies=()):
    setting.on_site_networks = list(networks)
    setting.trusted_proxies = list(proxies)
    setting.save()


def test_until_networks_are_listed_the_rule_does_not_apply(world, web, helper):
    assert web(helper, **OUTSIDE).get("/children/").status_code == 200


def test_staff_without_key_children_are_refused_off_site(world, web, api, helper):
    list_networks(world.setting_a)
    client = web(helper, **OUTSIDE)
    response = client.get("/children/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Only key people" in page and "Xander" not in page
    assert client.get("/help/").status_code == 200  # help and sign-out stay open
    refused = api(helper, **OUTSIDE).get("/children")
    assert refused.status_code == 403 and refused.json()["code"] == "off_site"
    assert AuditEvent.objects.filter(action="refused.off_site", ip="198.51.100.7").exists()
    # Session leaders who aren't key people are bound by it too.
    assert web(world.manager, **OUTSIDE).get("/children/").status_code == 403


def test_on_site_and_key_workers_are_allowed(world, web, api, helper):
    list_networks(world.setting_a)
    assert web(helper, **INSIDE).get("/children/").status_code == 200
    assert web(world.key_person, **OUTSIDE).get("/children/").status_code == 200
    assert api(world.key_person, **OUTSIDE).get("/children").status_code == 200
    # Parents are not staff: the rule is not theirs.
    assert (
        web(world.parent, **OUTSIDE).get(f"/children/{world.child.pk}/journal").status_code == 200
    )


def test_forwarded_for_counts_only_through_a_trusted_proxy(world, web, helper):
    list_networks(world.setting_a, proxies=["10.0.0.5/32"])
    through_proxy = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.10"}
    assert web(helper, **through_proxy).get("/children/").status_code == 200
    # The same header sent straight from outside is ignored.
    forged = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "192.0.2.10"}
    assert web(helper, **forged).get("/children/").status_code == 403


def test_a_client_cannot_prepend_an_on_site_address(world, web, helper):
    list_networks(world.setting_a, proxies=["10.0.0.5/32"])
    spoofed = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.10, 198.51.100.7"}
    assert web(helper, **spoofed).get("/children/").status_code == 403


def test_client_ip_takes_the_rightmost_address_that_is_not_a_trusted_proxy(world):
    rf = RequestFactory()

    class Membership:
        setting = world.setting_a

    world.setting_a.trusted_proxies = ["10.0.0.0/24"]

    def ip(remote, forwarded=None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        request = rf.get("/", **meta)
        request.membership = Membership()
        return client_ip(request)

    assert ip("198.51.100.7") == "198.51.100.7"
    assert ip("198.51.100.7", "192.0.2.1") == "198.51.100.7"
    assert ip("10.0.0.5", "192.0.2.1") == "192.0.2.1"
    assert ip("10.0.0.5", "1.2.3.4, 192.0.2.1, 10.0.0.6") == "192.0.2.1"
    assert ip("10.0.0.5", "not-an-address") == "10.0.0.5"
    assert ip("10.0.0.5", "192.0.2.1, garbage, 10.0.0.6") == "10.0.0.6"
    assert ip("10.0.0.5", "") == "10.0.0.5"
    assert ip("10.0.0.5", "2001:db8::1") == "2001:db8::1"


def test_listing_networks_that_would_lock_out_the_leader_is_refused(world, api):
    client = api(world.manager, **OUTSIDE)
    path = f"/settings/{world.setting_a.pk}"
    response = client.patch(path, {"on_site_networks": ["192.0.2.0/24"]})
    assert response.status_code == 422 and "lock you out" in response.json()["detail"]
    inside = api(world.manager, **INSIDE)
    assert inside.patch(path, {"on_site_networks": ["192.0.2.0/24"]}).status_code == 200
    world.setting_a.refresh_from_db()
    assert world.setting_a.on_site_networks == ["192.0.2.0/24"]


def test_a_stored_catch_all_proxy_lets_no_one_forge_their_address(world, web, helper):
    """Saved before catch-all proxies were refused: still not trusted."""
    list_networks(world.setting_a, proxies=("0.0.0.0/0", "::/0"))
    client = web(helper, **OUTSIDE)
    response = client.get("/children/", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert response.status_code == 403

"""People who belong to two settings at once (issue 8, finding 1): every rule is decided
per setting of the object concerned, so one setting's rules and leaders never reach a
person's work in another."""

import pytest

from acorn.accounts.models import TotpDevice
from acorn.audit.models import AuditEvent
from acorn.audit.services import audit_record
from acorn.core.tests import factories as f
from acorn.org.models import Membership

OUTSIDE = {"REMOTE_ADDR": "198.51.100.7"}
INSIDE_A = "192.0.2.10"


@pytest.fixture
def first_by_name(world):
    """A setting whose name sorts before setting A's, so it is a two-setting person's
    default setting."""
    return f.SettingFactory(name="Aardvark Early Years")


def also_staff(person, setting, role="practitioner"):
    """`person` accepted an invitation to `setting` (and is cleared there)."""
    Membership.objects.update_or_create(user=person, setting=setting, defaults={"role": role})
    f.clear(person, setting)
    return person


def list_networks(setting, networks=("192.0.2.0/24",), proxies=()):
    setting.on_site_networks = list(networks)
    setting.trusted_proxies = list(proxies)
    setting.save()


# Two-step sign-in reset


def test_manager_of_one_setting_cannot_reset_someone_who_also_works_in_another(world, web, api):
    also_staff(world.key_person, world.setting_b)
    f.enrol_mfa(world.key_person)
    path = f"/staff/{world.key_person.pk}/mfa/reset"
    refused = api(world.other_manager).post(path)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert api(world.manager).post(path).status_code == 403
    membership = world.key_person.memberships.get(setting=world.setting_b)
    assert web(world.other_manager).post(f"/staff/{membership.pk}/two-step-reset").status_code == (
        403
    )
    assert TotpDevice.objects.filter(user=world.key_person).exists()


def test_manager_of_every_setting_a_person_works_in_can_reset(world, api):
    also_staff(world.manager, world.setting_b, role="manager")
    also_staff(world.key_person, world.setting_b)
    f.enrol_mfa(world.key_person)
    assert api(world.manager).post(f"/staff/{world.key_person.pk}/mfa/reset").status_code == 204
    assert not TotpDevice.objects.filter(user=world.key_person).exists()


# Audit


def test_events_without_a_setting_are_shown_to_no_settings_leaders(world, api, web):
    also_staff(world.key_person, world.setting_b)
    # An event of the person's own with no setting (sign-outs are recorded so).
    audit_record(action="logout", actor=world.key_person, detail={"via": "api"})
    assert AuditEvent.objects.filter(actor_id=world.key_person.pk, setting_id=None).exists()
    for leader, setting in (
        (world.other_manager, world.setting_b),
        (world.manager, world.setting_a),
    ):
        items = (
            api(leader)
            .get(f"/settings/{setting.pk}/audit", actor=str(world.key_person.pk))
            .json()["items"]
        )
        assert all(item["action"] != "logout" for item in items)
    page = web(world.other_manager).get(f"/audit/?person={world.key_person.pk}")
    assert page.status_code == 200
    assert "logout" not in [row["event"].action for row in page.context["rows"]]


# Off-site rule


def test_another_settings_open_rule_does_not_let_a_practitioner_in_off_site(
    world, api, first_by_name
):
    helper = f.staff(world.setting_a, "practitioner", name="Hal Helper")
    also_staff(helper, first_by_name)
    list_networks(world.setting_a)
    client = api(helper, **OUTSIDE)
    listed = client.get("/children")
    assert listed.status_code in (200, 403)
    if listed.status_code == 200:
        assert str(world.child.pk) not in {c["id"] for c in listed.json()["items"]}
    refused = client.get(f"/children/{world.child.pk}")
    assert refused.status_code == 403 and refused.json()["code"] == "off_site"


def test_another_settings_networks_never_lock_a_person_out_of_their_own_setting(
    world, api, web, first_by_name
):
    also_staff(world.key_person, first_by_name, role="deputy")
    f.enrol_mfa(world.key_person)
    list_networks(first_by_name, networks=["203.0.113.0/24"])
    # Kate is key person in A, so A lets her work from home; the other setting doesn't.
    client = api(world.key_person, **OUTSIDE)
    assert client.get(f"/children/{world.child.pk}").status_code == 200
    elsewhere = client.get(f"/settings/{first_by_name.pk}/staff")
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "off_site"
    page = web(world.key_person, **OUTSIDE).get(f"/children/{world.child.pk}/")
    assert page.status_code == 200


def test_a_settings_trusted_proxies_do_not_decide_addresses_for_another(world, api, first_by_name):
    helper = f.staff(world.setting_a, "practitioner", name="Hal Helper")
    also_staff(helper, first_by_name)
    list_networks(world.setting_a)
    # The other setting trusts everyone as a proxy, so anyone could claim to be inside A.
    list_networks(first_by_name, networks=[], proxies=["0.0.0.0/0"])
    forged = {**OUTSIDE, "HTTP_X_FORWARDED_FOR": INSIDE_A}
    refused = api(helper, **forged).get(f"/children/{world.child.pk}")
    assert refused.status_code == 403 and refused.json()["code"] == "off_site"


def test_a_settings_trusted_proxies_do_not_decide_addresses_in_anothers_audit(
    world, api, first_by_name
):
    also_staff(world.key_person, first_by_name)
    list_networks(first_by_name, networks=[], proxies=["0.0.0.0/0"])
    forged = {**OUTSIDE, "HTTP_X_FORWARDED_FOR": "203.0.113.99"}
    assert api(world.key_person, **forged).get(f"/children/{world.child.pk}").status_code == 200
    read = AuditEvent.objects.get(action="child.read", setting_id=world.setting_a.pk)
    assert read.ip == OUTSIDE["REMOTE_ADDR"]


def test_off_site_in_the_chosen_setting_moves_the_web_to_one_that_allows_it(
    world, web, first_by_name
):
    also_staff(world.key_person, first_by_name)
    list_networks(first_by_name, networks=["203.0.113.0/24"])
    client = web(world.key_person, **OUTSIDE)
    client.post("/switch-setting/", {"setting": str(first_by_name.pk)})
    page = client.get("/children/")
    assert page.status_code == 200 and "Xander" in page.content.decode()

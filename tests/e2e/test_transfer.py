"""L-1 and L-2 in a browser: the sending manager records a child's leaving today for a
setting on Acorn (on a phone), the receiving manager sees the child on Today and accepts
on an iPad choosing a key person, and the child's parent still reads the journal there."""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from acorn.children.models import Child
from acorn.core.tests import factories as f

from .conftest import IPAD, PHONE
from .test_first_journey import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_nurseries(transactional_db):
    rowan = f.SettingFactory(name="Rowan Nursery")
    f.staff(rowan, "manager", name="Rae Rowan", email="rae@rowan.test")
    kim = f.staff(rowan, "practitioner", name="Kim Key", email="kim@rowan.test")
    ada = f.ChildFactory(setting=rowan, first_name="Ada", last_name="Ash", key_person=kim)
    ben = f.ChildFactory(setting=rowan, first_name="Ben", last_name="Birch", key_person=kim)
    f.parent_of(ada, name="Anna Ash", email="anna@home.test")
    f.observation(author=kim, children=[ada, ben], text="Ada and Ben Birch dug for worms.")
    hazel = f.SettingFactory(name="Hazel House")
    f.staff(hazel, "manager", name="Hal Hazel", email="hal@hazel.test")
    f.staff(hazel, "practitioner", name="Hana Helper", email="hana@hazel.test")
    return SimpleNamespace(ada=ada, hazel=hazel)


def test_leaving_for_a_setting_on_acorn_and_its_acceptance(new_page, two_nurseries):
    w = two_nurseries
    sending = new_page(PHONE)
    sign_in(sending, "rae@rowan.test")
    sending.goto(f"/children/{w.ada.pk}/")
    sending.get_by_role("link", name="Record leaving").click()
    sending.get_by_label("Find a setting on Acorn").fill("hazel")
    sending.get_by_role("button", name="Search").click()
    sending.get_by_label("Leaving date").fill(timezone.localdate().isoformat())
    sending.get_by_label("Hazel House (on Acorn)").check()
    sending.get_by_role("button", name="Continue").click()
    expect(sending.get_by_text("Hazel House uses Acorn.", exact=False)).to_be_visible()
    sending.get_by_role("button", name="Yes, record Ada's leaving").click()
    expect(sending.get_by_text("Ada's leaving is recorded.")).to_be_visible()

    receiving = new_page(IPAD)
    sign_in(receiving, "hal@hazel.test")
    receiving.goto("/dashboard/")
    panel = receiving.get_by_role("region", name="Children joining from other settings")
    panel.get_by_role("link", name="Ada Ash", exact=False).click()
    receiving.get_by_label("Key person").select_option(label="Hana Helper")
    receiving.get_by_role("button", name="Accept Ada").click()
    expect(receiving.get_by_text("Welcome, Ada!", exact=False)).to_be_visible()
    assert Child.objects.get(pk=w.ada.pk).setting_id == w.hazel.pk

    family = new_page(PHONE)
    sign_in(family, "anna@home.test")
    family.goto(f"/children/{w.ada.pk}/journal")
    expect(family.get_by_text("Ada and B.B. dug for worms.")).to_be_visible()
    expect(family.get_by_text("Ben Birch")).to_have_count(0)

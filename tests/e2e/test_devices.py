"""A manager enrols the setting's iPad from the iPad itself; a key person signs in on it;
the manager reports it missing from the office and the iPad's next page is the sign-in
page, while the key person's phone keeps working."""

import pytest
from playwright.sync_api import expect

from acorn.core.tests import factories as f
from acorn.devices.models import Device

from .conftest import DESKTOP, IPAD, PHONE
from .test_first_journey import sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_enrolled_ipad_reported_missing_is_signed_out_on_its_next_page(new_page, transactional_db):
    setting = f.SettingFactory(name="Rowan Nursery")
    f.staff(setting, "manager", name="Sam Manager", email="sam@rowan.test")
    kim = f.staff(setting, "practitioner", name="Kim Key", email="kim@rowan.test")
    f.ChildFactory(setting=setting, first_name="Poppy", last_name="Reed", key_person=kim)
    Device.objects.create(setting=setting, name="Ladybird iPad", kind="tablet")

    # The manager enrols the iPad, on the iPad.
    ipad = new_page(IPAD)
    sign_in(ipad, "sam@rowan.test")
    ipad.get_by_role("link", name="Devices", exact=True).first.click()
    ipad.get_by_role("link", name="Ladybird iPad").click()
    ipad.get_by_role("button", name="Enrol this tablet").click()
    expect(ipad.get_by_text("This tablet is now enrolled as Ladybird iPad")).to_be_visible()
    cookie = next(c for c in ipad.context.cookies() if c["name"] == "acorn_device")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    sign_out(ipad)

    # Kim signs in on the iPad (the device key outlived the manager's sign-out) and on
    # her phone.
    assert any(c["name"] == "acorn_device" for c in ipad.context.cookies())
    sign_in(ipad, "kim@rowan.test")
    ipad.goto("/children/")
    expect(ipad.get_by_text("Poppy").first).to_be_visible()
    phone = new_page(PHONE)
    sign_in(phone, "kim@rowan.test")

    # The iPad is lost; the manager reports it from the office.
    desk = new_page(DESKTOP)
    sign_in(desk, "sam@rowan.test")
    desk.goto("/devices/")
    desk.get_by_role("link", name="Ladybird iPad").click()
    desk.get_by_label("What happened? (optional)").fill("Left at the park")
    desk.get_by_role("button", name="Report Ladybird iPad missing").click()
    expect(desk.get_by_text("Ladybird iPad is marked missing")).to_be_visible()

    # The iPad's very next page request is refused; Kim's phone carries on.
    ipad.goto("/children/")
    expect(ipad.get_by_role("button", name="Sign in")).to_be_visible()
    expect(ipad.get_by_text("This device is no longer in use with Acorn")).to_be_visible()
    expect(ipad.get_by_text("Poppy")).to_have_count(0)
    phone.goto("/children/")
    expect(phone.get_by_text("Poppy").first).to_be_visible()

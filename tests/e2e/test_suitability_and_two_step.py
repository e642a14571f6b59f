"""A manager records a new practitioner's checks and the practitioner's page changes from
"checks incomplete" to their children; a deputy sets up two-step sign-in and signs in
with a code."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from acorn.core.tests import factories as f

from .conftest import DESKTOP, IPAD, PHONE
from .test_first_journey import sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_manager_records_checks_and_the_practitioners_gate_opens(new_page, transactional_db):
    setting = f.SettingFactory(name="Willow Nursery")
    f.staff(setting, "manager", name="Sam Manager", email="sam@willow.test")
    nia = f.staff(setting, "practitioner", cleared=False, name="Nia New", email="nia@willow.test")
    f.ChildFactory(setting=setting, first_name="Poppy", last_name="Reed", key_person=nia)

    # The new practitioner, on the setting's iPad: no children yet, and why.
    ipad = new_page(IPAD)
    sign_in(ipad, "nia@willow.test")
    expect(
        ipad.get_by_role("heading", name="Your suitability checks are not complete")
    ).to_be_visible()
    expect(ipad.get_by_text("Sam Manager (manager)")).to_be_visible()
    expect(ipad.get_by_text("Poppy")).to_have_count(0)
    # She signs her own declarations.
    ipad.get_by_role("link", name="My declarations").click()
    for index in range(2):
        ipad.get_by_label("Type your full name to sign").nth(index).fill("Nia New")
        ipad.get_by_role("button", name="Sign", exact=True).first.click()
        expect(ipad.get_by_text("your declaration is signed")).to_be_visible()

    # The manager, at the office desktop, records the DBS check and the Update Service.
    desk = new_page(DESKTOP)
    sign_in(desk, "sam@willow.test")
    desk.get_by_role("link", name="Today").click()
    expect(desk.get_by_role("heading", name="Staff suitability register")).to_be_visible()
    desk.get_by_role("link", name="Checks for Nia New").click()
    dbs = desk.locator(
        "section", has=desk.get_by_role("heading", name="Record: Enhanced DBS check")
    )
    dbs.get_by_label("Certificate number").fill("001234567890")
    dbs.get_by_label("Date of issue").fill("2026-01-15")
    dbs.get_by_label("The certificate includes a check of the children's barred list").check()
    dbs.get_by_label("I have seen the original certificate").check()
    dbs.get_by_role("button", name="Record").click()
    expect(desk.get_by_text("Enhanced DBS check recorded for Nia New.")).to_be_visible()
    service = desk.locator(
        "section", has=desk.get_by_role("heading", name="Record: DBS Update Service subscription")
    )
    service.get_by_label("Update Service subscription ID").fill("C0012345")
    service.get_by_label("Renewal date").fill("2099-01-15")
    service.get_by_role("button", name="Record").click()
    expect(desk.get_by_text("is cleared to see children's information")).to_be_visible()

    # Back on the iPad, the children list.
    ipad.goto("/")
    expect(ipad.get_by_role("heading", name="Children")).to_be_visible()
    expect(ipad.locator("strong", has_text="Poppy Reed")).to_be_visible()


def test_deputy_sets_up_two_step_sign_in_and_signs_in_with_a_code(new_page, transactional_db):
    setting = f.SettingFactory(name="Rowan Pre-school")
    f.staff(setting, "deputy", mfa=False, name="Dee Deputy", email="dee@rowan.test")
    phone = new_page(PHONE)
    sign_in(phone, "dee@rowan.test")
    expect(phone.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    phone.goto("/staff/")  # nothing else until it's done
    expect(phone.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    secret = phone.locator("#secret").inner_text().strip()
    assert phone.locator("#otpauth-uri").inner_text().startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    first_code = totp.now()
    phone.get_by_label("Code").fill(first_code)
    phone.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(phone.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    expect(phone.locator("#recovery-codes li")).to_have_count(10)
    sign_out(phone)

    phone.goto("/sign-in/")
    phone.get_by_label("Email").fill("dee@rowan.test")
    phone.get_by_label("Password").fill(f.PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", name="Enter your code")).to_be_visible()
    # The code already used is refused; the next one works.
    phone.get_by_label("Code").fill(first_code)
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator("#id_code_error")).to_contain_text("used already")
    phone.get_by_label("Code").fill(totp.at(time.time() + 30))
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("heading", name="Today at")).to_be_visible()

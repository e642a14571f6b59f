"""A manager adds a child, invites the parent and writes an observation; the parent
accepts the invitation on a phone and sees it; another parent does not."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from acorn.core.tests import factories as f

from .conftest import DESKTOP, IPAD, PHONE

pytestmark = pytest.mark.e2e


def sign_in(page, email, password=f.PASSWORD):
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/sign-in/code/" in page.url:
        # Session leaders use two-step sign-in; a recovery code stands in for the phone.
        from acorn.accounts.models import User

        page.get_by_label("Code").fill(f.recovery_code(User.objects.get(email=email)))
        page.get_by_role("button", name="Continue").click()


def sign_out(page):
    """Sign out is under "More" in the menu (beside Help alone while two-step set-up is
    required)."""
    more = page.locator(".nav-more summary")
    if more.count():
        more.click()
    page.get_by_role("button", name="Sign out").click()


def test_manager_adds_child_writes_observation_and_only_that_parent_sees_it(
    new_page, transactional_db
):
    setting = f.SettingFactory(name="Hazel Pre-school")
    f.staff(setting, "manager", name="Sam Manager", email="sam@hazel.test")
    f.staff(setting, "practitioner", name="Kim Key", email="kim@hazel.test")
    sibling = f.ChildFactory(setting=setting, first_name="Otto", last_name="Other")
    f.parent_of(sibling, name="Olive Other", email="olive@hazel.test")
    from acorn.audit.models import AuditEvent
    from acorn.children.models import ImageConsent, ParentAgreement

    # The manager, on the setting's iPad.
    ipad = new_page(IPAD)
    sign_in(ipad, "sam@hazel.test")
    # Session leaders start on "Today": what needs them.
    expect(ipad.get_by_role("heading", name="Today at Hazel Pre-school")).to_be_visible()
    ipad.get_by_role("link", name="Children", exact=True).click()
    ipad.get_by_role("link", name="Add a child").click()
    ipad.get_by_label("First name").fill("Rosa")
    ipad.get_by_label("Last name").fill("O'Brien-Lee")
    ipad.get_by_label("Date of birth").fill("2023-04-12")
    ipad.get_by_label("Start date").fill("2025-09-01")
    ipad.get_by_label("Key person", exact=True).select_option(label="Kim Key")
    ipad.get_by_role("button", name="Save").click()
    expect(ipad.get_by_text("Rosa has been added.")).to_be_visible()

    ipad.get_by_role("link", name="Invite a parent or carer").click()
    ipad.get_by_label("Parent or carer's name").fill("Paula O'Brien")
    ipad.get_by_label("Their email address").fill("paula@home.test")
    ipad.get_by_role("button", name="Send invitation").click()
    expect(ipad.get_by_text("We've emailed an invitation")).to_be_visible()

    ipad.get_by_role("link", name="New observation").first.click()
    ipad.locator("label.child-tile", has_text="Rosa").click()
    ipad.get_by_label("What happened?").fill("Rosa counted five ducks on the pond.")
    ipad.locator("label.chip-option", has_text="Mathematics").click()
    ipad.get_by_role("button", name="Publish").click()
    expect(ipad.get_by_text("Published. Parents can see it now.")).to_be_visible()

    # The parent, at home on a phone, from the invitation email.
    assert len(mail.outbox) == 1
    link = re.search(r"/invite/\S+", mail.outbox[0].body).group(0)
    phone = new_page(PHONE)
    phone.goto(link)
    phone.get_by_label("Your name").fill("Paula O'Brien")
    phone.get_by_label("Password").fill("ducks-on-the-pond-42")
    phone.get_by_role("button", name="Accept and continue").click()
    # Onboarding (P-1): the agreement first, then the photo question for Rosa.
    expect(phone.get_by_text("Step 1 of 2")).to_be_visible()
    expect(phone.get_by_text("not to download, copy, screenshot or share")).to_be_visible()
    phone.get_by_role("button", name="I agree and sign").click()
    expect(phone.locator(".error", has_text="Please type your full name to sign")).to_be_visible()
    phone.get_by_label("Type your full name to sign").fill("Paula O'Brien")
    phone.get_by_role("button", name="I agree and sign").click()
    expect(phone.get_by_text("Step 2 of 2")).to_be_visible()
    phone.get_by_label("No, I don't agree").check()
    phone.get_by_label("Type your full name to sign").fill("Paula O'Brien")
    phone.get_by_role("button", name="Save my answer").click()
    expect(phone.get_by_role("heading", name="Rosa's journal")).to_be_visible()
    expect(phone.get_by_text("Rosa counted five ducks on the pond.")).to_be_visible()
    expect(phone.get_by_text("Kim Key").first).to_be_visible()
    journal_url = phone.url
    agreement = ParentAgreement.objects.get(parent__email="paula@home.test")
    assert agreement.signature_name == "Paula O'Brien" and agreement.wording.version == 1
    assert agreement.ip == "127.0.0.1"
    answer = ImageConsent.objects.get(parent__email="paula@home.test")
    assert answer.images_in_other_journals is False and answer.child.image_consent is False
    assert AuditEvent.objects.filter(action="consent.refuse", child_id=answer.child_id).exists()

    # Another parent of the same setting, on a desktop, sees none of it.
    desktop = new_page(DESKTOP)
    sign_in(desktop, "olive@hazel.test")
    expect(desktop.get_by_role("heading", name="Otto's journal")).to_be_visible()
    expect(desktop.get_by_text("five ducks")).to_have_count(0)
    response = desktop.goto(journal_url)
    assert response.status == 404
    expect(desktop.get_by_text("five ducks")).to_have_count(0)
    expect(desktop.get_by_text("Rosa")).to_have_count(0)

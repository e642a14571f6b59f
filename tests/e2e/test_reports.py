"""A key person goes from observations to a shared progress check at age two, on a
phone; a session leader reviews and shares it; the parent reads it and adds their view."""

import re

import pytest
from playwright.sync_api import expect

from acorn.core.tests import factories as f
from acorn.reports.models import Report
from acorn.reports.tests.helpers import judge, observe_with_photo, scene, this_term

from .conftest import DESKTOP, PHONE
from .test_first_journey import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def nursery(transactional_db):
    setting = f.SettingFactory(name="Rowan Nursery")
    key_person = f.staff(setting, "practitioner", name="Kim Key", email="kim@rowan.test")
    f.staff(setting, "manager", name="Sam Manager", email="sam@rowan.test")
    ada = f.ChildFactory(setting=setting, first_name="Ada", last_name="Ash", key_person=key_person)
    f.parent_of(ada, name="Anna Ash", email="anna@home.test")
    term = this_term(setting)
    judge(ada, term, key_person, [{"area": "CL", "judgement": "on_track"}])
    _, photo = observe_with_photo(
        key_person,
        [ada],
        "Ada named every animal in the farm book.",
        areas=["CL"],
        next_steps="Share longer stories.",
        image=scene(7),
    )
    return {"ada": ada, "photo": photo}


def test_key_person_to_shared_two_year_check_and_parent_comments_on_a_phone(new_page, nursery):
    ada = nursery["ada"]
    phone = new_page(PHONE)
    sign_in(phone, "kim@rowan.test")
    phone.goto(f"/children/{ada.pk}/")
    phone.get_by_role("link", name="Reports").click()
    phone.get_by_label("Which report").select_option("two_year_check")
    phone.get_by_role("button", name="Start the draft").click()
    expect(phone.get_by_role("heading", name="Progress check at age two")).to_be_visible()
    cl = phone.get_by_label("What to say about Communication and language")
    expect(cl).to_have_value(re.compile("named every animal"))
    phone.get_by_label("Summary").fill("Ada has had a wonderful few months with us.")
    phone.locator(f"input[name=photos][value='{nursery['photo'].pk}']").check()
    phone.get_by_role("button", name="Save and send for review").click()
    expect(phone.get_by_text("Sent for review.")).to_be_visible()
    report = Report.objects.get(child=ada)
    assert report.status == "in_review" and report.photo_ids == [str(nursery["photo"].pk)]

    desk = new_page(DESKTOP)
    sign_in(desk, "sam@rowan.test")
    desk.goto(f"/reports/{report.pk}/")
    desk.get_by_role("button", name="Approve").click()
    desk.get_by_role("button", name="Share with parents").click()
    expect(desk.get_by_text("Shared. The parents have been sent an email")).to_be_visible()

    parent = new_page(PHONE)
    sign_in(parent, "anna@home.test")
    parent.get_by_role("link", name="Progress check at age two").click()
    expect(parent.get_by_text("Ada has had a wonderful few months with us.")).to_be_visible()
    expect(parent.get_by_role("link", name="PDF")).to_be_visible()
    parent.get_by_label("What do you think?").fill("She tells us about the farm book at bedtime.")
    parent.get_by_label("Yes, please share it").check()
    parent.get_by_role("button", name="Send your view").click()
    expect(parent.get_by_text("Thank you. Your view is now part of the report.")).to_be_visible()
    report.refresh_from_db()
    assert report.parent_comment == "She tells us about the farm book at bedtime."
    assert report.health_visitor_consent is True

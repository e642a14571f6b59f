"""A shared iPad: what one person wrote and didn't send never reaches the next person
who signs in on it, and follows its author back when they sign in again."""

import pytest
from playwright.sync_api import expect

from acorn.core.tests import factories as f
from acorn.journal.models import CaptureDraft

from .conftest import IPAD
from .test_first_journey import sign_in, sign_out

pytestmark = pytest.mark.e2e

WORDS = "Amara was upset at drop-off; mum mentioned changes at home."


@pytest.fixture
def nursery(transactional_db):
    setting = f.SettingFactory(name="Willow Nursery")
    priya = f.staff(setting, "practitioner", name="Priya Patel", email="priya@willow.test")
    tom = f.staff(setting, "practitioner", name="Tom Hughes", email="tom@willow.test")
    amara = f.ChildFactory(
        setting=setting, first_name="Amara", last_name="Okafor", key_person=priya
    )
    f.ChildFactory(setting=setting, first_name="Will", last_name="Wood", key_person=tom)
    return locals()


def _device_traces(page) -> dict:
    """Everything the site has kept in this browser: local and session storage,
    IndexedDB databases and Cache Storage."""
    return page.evaluate(
        """async () => {
            const databases = indexedDB.databases ? await indexedDB.databases() : [];
            return {
                local: Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)]),
                session: Object.keys(sessionStorage),
                indexeddb: databases.map((d) => d.name),
                caches: await caches.keys(),
            };
        }"""
    )


def test_a_draft_never_crosses_from_one_person_to_the_next_on_a_shared_ipad(new_page, nursery):
    ipad = new_page(IPAD)
    sign_in(ipad, "priya@willow.test")
    ipad.goto("/observations/new")
    ipad.locator("label.child-tile", has_text="Amara").click()
    ipad.get_by_label("What happened?").fill(WORDS)
    # Saved for Priya on the server as she types.
    ipad.wait_for_function("() => document.querySelector('form[data-capture]').dataset.savedAt")
    assert CaptureDraft.objects.get().text == WORDS

    # Her copy on the device, as if the connection had dropped: encrypted and hers only.
    ipad.context.set_offline(True)
    ipad.get_by_label("What happened?").fill(WORDS + " Offline.")
    expect(ipad.get_by_text("You seem to be offline")).to_be_visible()
    ipad.wait_for_function("() => localStorage.length > 0")
    stored = _device_traces(ipad)["local"]
    assert all(WORDS not in value and "Amara" not in value for _, value in stored)
    ipad.context.set_offline(False)
    ipad.wait_for_function("() => localStorage.length === 0")

    sign_out(ipad)
    expect(ipad.get_by_label("Email")).to_be_visible()

    # Tom signs in on the same browser and finds no trace of Priya's draft.
    sign_in(ipad, "tom@willow.test")
    ipad.goto("/observations/new")
    expect(ipad.get_by_role("heading", name="New observation")).to_be_visible()
    page_text = ipad.locator("body").inner_text()
    assert "upset at drop-off" not in page_text
    assert "Not sent yet" not in page_text
    assert "brought back" not in page_text
    expect(ipad.get_by_label("What happened?")).to_have_value("")
    expect(ipad.locator("input[name=children]:checked")).to_have_count(0)
    traces = _device_traces(ipad)
    assert traces == {"local": [], "session": [], "indexeddb": [], "caches": []}
    sign_out(ipad)
    expect(ipad.get_by_label("Email")).to_be_visible()

    # Priya signs in again and gets it back, told what it is before anything is filled in.
    sign_in(ipad, "priya@willow.test")
    ipad.goto("/observations/new")
    expect(ipad.get_by_text("About Amara O.")).to_be_visible()
    expect(ipad.get_by_label("What happened?")).to_have_value("")
    ipad.get_by_role("link", name="Carry on with it").click()
    expect(ipad.get_by_label("What happened?")).to_have_value(WORDS + " Offline.")
    expect(ipad.locator("#child-" + str(nursery["amara"].pk))).to_be_checked()

    # Discard throws it away for good.
    ipad.once("dialog", lambda dialog: dialog.accept())
    ipad.get_by_role("button", name="Discard").click()
    expect(ipad.get_by_text("Discarded. Nothing of it was kept.")).to_be_visible()
    assert not CaptureDraft.objects.exists()

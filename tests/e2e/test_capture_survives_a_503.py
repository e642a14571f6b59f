"""Issue 15: the capture page when Acorn answers 503 (its database gone for a moment).
The server's real 503 page is put on the wire for the first attempts (fault injection at
the network boundary); everything else is the live server. Nothing typed is lost, the
page says what is happening, and it sends again by itself: one entry."""

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import expect

from acorn.journal.models import CaptureDraft, Observation

from .conftest import IPAD
from .test_first_journey import sign_in
from .test_journal_journeys import nursery  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e


def _unavailable_for(page, url_glob, times):
    refused = []

    def handle(route):
        if route.request.method == "POST" and len(refused) < times:
            refused.append(route.request.url)
            route.fulfill(status=503, content_type="text/html", body=render_to_string("503.html"))
        else:
            route.continue_()

    page.route(url_glob, handle)
    return refused


def test_publish_during_a_503_keeps_the_observation_and_sends_it_once_acorn_is_back(
    new_page,
    nursery,  # noqa: F811
):
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto("/observations/new")
    ipad.locator("label.child-tile", has_text="Ada").click()
    ipad.get_by_label("What happened?").fill("Ada built a bridge for the cars.")
    refused = _unavailable_for(ipad, "**/observations/new", times=1)
    ipad.get_by_role("button", name="Publish").click()
    expect(ipad.get_by_text("Acorn couldn't save this just now")).to_be_visible()
    expect(ipad.get_by_label("What happened?")).to_have_value("Ada built a bridge for the cars.")
    assert len(refused) == 1 and Observation.objects.count() == 0
    # It tries again by itself a few seconds later: one entry, nothing lost.
    expect(ipad.get_by_text("Published. Parents can see it now.")).to_be_visible(timeout=20_000)
    assert Observation.objects.get().text == "Ada built a bridge for the cars."


def test_autosave_during_a_503_keeps_the_words_and_saves_them_later(
    new_page,
    nursery,  # noqa: F811
):
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto("/observations/new")
    refused = _unavailable_for(ipad, "**/observations/unsent", times=1)
    ipad.get_by_label("What happened?").fill("Ada sang the rainbow song.")
    # Refused once, then saved on the next try (the device kept an encrypted copy meanwhile).
    ipad.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('acorn-capture:'))",
        timeout=10_000,
    )
    deadline_ms = 20_000
    ipad.wait_for_function(
        "() => !Object.keys(localStorage).some(k => k.startsWith('acorn-capture:'))",
        timeout=deadline_ms,
    )
    assert len(refused) == 1
    assert CaptureDraft.objects.get().text == "Ada sang the rainbow song."

import os
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IPAD = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                "Debian Chromium is missing at /usr/bin/chromium (apt-get install chromium)."
            )
        pytest.skip("Debian Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import expect, sync_playwright

    # A 2-core CI machine running the suite is slower than a laptop.
    expect.set_options(timeout=15_000)

    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the
    # tests make around it are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        # Let requests the page still has in flight (an autosave, an upload) finish first:
        # the server would otherwise hold rows while the test database is emptied, and on
        # PostgreSQL the two deadlock.
        for page in context.pages:
            try:
                page.goto("about:blank")  # the capture page saves on leaving: let it
                page.wait_for_load_state("networkidle", timeout=5_000)
            except Exception:  # noqa: S110 - closing anyway is the point
                pass
        context.close()
    if contexts:
        time.sleep(0.5)  # a beacon sent on leaving may still be being answered


@pytest.fixture
def willow(transactional_db):
    """Willow Nursery: Kim, the key person of Ada and of Ben, whose dad said no to photos
    in other children's journals."""
    from acorn.core.tests import factories as f

    setting = f.SettingFactory(name="Willow Nursery")
    key_person = f.staff(setting, "practitioner", name="Kim Key", email="kim@willow.test")
    ada = f.ChildFactory(setting=setting, first_name="Ada", last_name="Ash", key_person=key_person)
    ben = f.ChildFactory(
        setting=setting, first_name="Ben", last_name="Birch", key_person=key_person
    )
    f.parent_of(ada, name="Anna Ash", email="anna@home.test")
    f.parent_of(ben, name="Bob Birch", email="bob@home.test", consent=False)
    return {"setting": setting, "key_person": key_person, "ada": ada, "ben": ben}

"""Every page of every role, on a phone (390×844) and an iPad (820×1180): nothing wider
than the screen, no tap target under 44×44 px, no serious or critical axe-core
violation (issue 14), and every id named by aria-describedby or aria-labelledby on the
page (a hint or error a screen reader would otherwise never read).

The pages come from the URLconf, so a new page is checked without anyone adding it here:
each route is opened by every role its access rule lets in, with its ids filled from a
small demo-like nursery. Routes that only take POST, and files (photos, JSON), are not
pages and are left out by what they are, not by a list of names.

One browser; one signed-in context per role, reused for all of that role's pages (the
viewport is switched between phone and iPad on the same page, so each route loads once).
"""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from .conftest import IPAD, PHONE

pytestmark = pytest.mark.e2e

# Which roles may open a route, by the access rule declared on its view (core/access.py).
ROLES_BY_RULE = {
    "public": ("visitor",),
    "signed_in": ("manager", "practitioner", "parent"),
    "staff": ("manager", "practitioner"),
    "session_leader": ("manager",),
    "session_leader_admin": ("manager",),
    "parent": ("parent",),
}
# Routes that answer with something other than a page, whatever the method.
NOT_PAGES = {
    "healthz": "a health check for the load balancer",
    "journal:media": "the photo or video file itself",
    "journal:media_status": "JSON polled by the capture page",
    "leaving:keepsake_download": "the keepsake zip itself",
}
SCREENSHOTS = os.environ.get("ACORN_SCREENSHOTS")  # a folder: save every page there too


def _only_post(view) -> bool:
    """True for views behind require_POST (Django keeps the allowed methods in the
    decorator's closure)."""
    seen = view
    while seen is not None:
        for cell in getattr(seen, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value and all(m in ("POST", "PUT") for m in value):
                return True
        seen = getattr(seen, "__wrapped__", None)
    return False


def _routes():
    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("api/"):
                    continue  # the API has its own contract tests (schemathesis)
                ns = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern), pattern.callback

    for name, route, view in walk(get_resolver().url_patterns, "", None):
        rule = getattr(view, "access_rule", None)
        if name in NOT_PAGES or _only_post(view) or rule not in ROLES_BY_RULE:
            continue
        for role in ROLES_BY_RULE[rule]:
            yield role, name, route


ROUTES = sorted(set(_routes()))


def _fill(route: str, ids: dict) -> str:
    import re

    def replace(match):
        key = match.group(1)
        if key not in ids:
            raise KeyError(f"No demo id for <{key}> in {route}: add one to the nursery fixture")
        return str(ids[key])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, route)


def test_every_page_is_checked_by_some_role(db):
    """The walk finds the pages people use (and, by asking for the database, makes
    pytest-django create it for the module's shared nursery below)."""
    names = {name for _, name, _ in ROUTES}
    for page in ("home", "org:dashboard", "org:staff", "audit:trail", "journal:child"):
        assert page in names
    assert "journal:comment" not in names  # POST only
    assert {role for role, _, _ in ROUTES} == {"visitor", "manager", "practitioner", "parent"}


@pytest.fixture(scope="module")
def nursery(django_db_setup, django_db_blocker, tmp_path_factory):
    """A nursery like the demo: a manager (two-step), a key person, two children with
    photos in their journals, a contribution from home waiting, a draft, a device out."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test.testcases import LiveServerThread
    from django.test.utils import setup_databases, teardown_databases

    from acorn.core.tests import factories as f
    from acorn.devices.models import Device
    from acorn.journal import services
    from acorn.journal.media import media_upload
    from acorn.media_processing.tests import samples

    folder = tmp_path_factory.mktemp("photos")
    # The nursery is built once for the whole module (pytest-django's live_server would
    # flush it after every test), so the module runs its own server and keeps the
    # database open to it until the end.
    unblocked = django_db_blocker.unblock()
    unblocked.__enter__()
    created = None
    if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
        # Only these tests were chosen (-k): pytest-django saw no test asking for the
        # database, so it made none.
        created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    if True:
        setting = f.SettingFactory(name="Willow Nursery")
        manager = f.staff(setting, "manager", name="Sam Patel", email="sam@willow.test")
        key_person = f.staff(setting, "practitioner", name="Kim Key", email="kim@willow.test")
        f.staff(
            setting,
            "deputy",
            name="Dev Deputy-Longname",
            email="deputy.with.a.long.address@willow.test",
        )
        f.staff(setting, "practitioner", name="Tom Hughes", email="tom@willow.test", cleared=False)
        ada = f.ChildFactory(
            setting=setting, first_name="Ada", last_name="Ash", key_person=key_person
        )
        ben = f.ChildFactory(
            setting=setting, first_name="Ben", last_name="Birch", key_person=key_person
        )
        f.parent_of(ada, name="Anna Ash", email="anna@home.test")
        f.parent_of(ben, name="Bob Birch", email="bob@home.test", consent=False)
        f.ChildFactory(setting=setting, first_name="Cara", last_name="Cole", key_person=manager)

        def photo(name, size=(800, 600)):
            path = samples.noisy_jpeg(folder / name, size)
            return media_upload(
                uploader=key_person,
                setting=setting,
                uploaded_file=SimpleUploadedFile(name, path.read_bytes()),
            )

        entry = services.observation_create(
            author=key_person,
            children=[ada, ben],
            text="Ada and Ben found a snail in the garden and followed its trail. " * 12,
            observed_on=date.today() - timedelta(days=1),
            media=[
                services.MediaChoice(media=photo("a.jpg")),
                services.MediaChoice(media=photo("b.jpg")),
            ],
            publish=True,
        )
        f.observation(author=key_person, children=[ada], text="Ada counted five ducks.")
        f.observation(author=key_person, children=[ben], text="Ben's tower.", status="draft")
        f.observation(author=manager, children=[ada], text="Ada sang a song.")
        device = Device.objects.create(setting=setting, name="Ladybird iPad", kind="tablet")
        from acorn.reports import services as reports

        report = reports.report_create(child=ada, kind="baseline", author=key_person)
        reports.report_submit(report=report, person=key_person)
        reports.report_review(report=report, reviewer=manager, approve=True)
        reports.report_share(report=report, person=manager)
        from acorn.accounts.models import User
        from acorn.leaving import services as leaving
        from acorn.notices.models import Notice

        keepsake = leaving.keepsake_request(
            child=ada, requested_by=User.objects.get(email="anna@home.test")
        )
        # A child joining from another setting on Acorn (L-2), waiting for an answer.
        from acorn.leaving.services import leaving_record

        hazel = f.SettingFactory(name="Hazel House")
        hazel_manager = f.staff(hazel, "manager", name="Hal Hazel", email="hal@hazel.test")
        dan = f.ChildFactory(
            setting=hazel, first_name="Dan", last_name="Dale", key_person=hazel_manager
        )
        leaving_record(
            child=dan,
            recorded_by=hazel_manager,
            leaving_on=date.today() + timedelta(days=10),
            destination_setting_id=setting.pk,
        )
        from acorn.leaving.models import Transfer

        # A subject access request, so Today shows its panel.
        leaving.keepsake_request(child=ada, requested_by=manager)
        ids = {
            "transfer_id": Transfer.objects.get(child=dan).pk,
            "child_id": ada.pk,
            "observation_id": entry.pk,
            "media_id": entry.media.first().pk,
            "person_id": key_person.pk,
            "membership_id": key_person.memberships.get().pk,
            "device_id": device.pk,
            "report_id": report.pk,
            "export_id": keepsake.pk,
            # Anna's notification of the snail entry (the others get "not found").
            "notice_id": Notice.objects.filter(recipient__email="anna@home.test").first().pk,
            "token": "not-a-real-invitation",
            "uidb64": "MQ",
        }
    server = LiveServerThread("localhost", static_handler=StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield {
            "url": f"http://localhost:{server.port}",
            "ids": ids,
            "emails": {
                "manager": "sam@willow.test",
                "practitioner": "kim@willow.test",
                "parent": "anna@home.test",
            },
        }
    finally:
        server.terminate()
        call_command("flush", interactive=False, verbosity=0)
        if created:
            teardown_databases(created, verbosity=0)
        unblocked.__exit__(None, None, None)


@pytest.fixture(scope="module")
def pages(browser, nursery):
    from .test_first_journey import sign_in

    opened = {}

    def page_for(role):
        if role not in opened:
            context = browser.new_context(viewport=PHONE, base_url=nursery["url"])
            context.set_default_timeout(15_000)
            page = context.new_page()
            if role != "visitor":
                sign_in(page, nursery["emails"][role])
            opened[role] = page
        return opened[role]

    yield page_for
    for page in opened.values():
        page.context.close()


WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .filter(el => !el.closest('.table-wrap'))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
      + ' right=' + Math.round(el.getBoundingClientRect().right));
}"""

# Interactive things a finger must hit. A checkbox or radio is hit through its label (the
# label is the target); a link inside a sentence is exempt (WCAG 2.5.8, "inline").
SMALL_TARGETS = """() => {
  const visible = el => {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0;
  };
  const inSentence = el => {
    const block = el.parentElement;
    if (!block || el.tagName !== 'A') return false;
    const own = [...block.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
    return own.length > 0 && getComputedStyle(el).display === 'inline';
  };
  const out = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')) {
    let target = el;
    // A checkbox or radio is hit through its label; so is a file input drawn as a button
    // by its label (the input itself is hidden to a pixel).
    const hiddenFile = el.matches('input[type=file]') && el.getBoundingClientRect().width < 2;
    if (el.matches('input[type=checkbox], input[type=radio]') || hiddenFile) {
      target = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    }
    if (!visible(target) || el.closest('.skip-link') || inSentence(el)) continue;
    const r = target.getBoundingClientRect();
    if (r.width < 43.5 || r.height < 43.5) {
      out.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return out;
}"""


# Hints and errors are read by screen readers through aria-describedby (and labels through
# aria-labelledby): every id they name must be on the page, or nothing is read.
MISSING_DESCRIPTIONS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push(`${el.tagName.toLowerCase()}[name=${el.name || ''}] ${attr}="${id}"`);
      }
    }
  }
  return out;
}"""


def _axe_serious(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:3]
        )
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("role", "name", "route"), ROUTES, ids=[f"{r}-{n}" for r, n, _ in ROUTES])
def test_page_fits_phone_and_ipad_and_passes_axe(pages, nursery, role, name, route):
    page = pages(role)
    page.set_viewport_size(PHONE)
    response = page.goto(_fill(route, nursery["ids"]))
    assert response is not None
    if response.status == 405 or "text/html" not in response.headers.get("content-type", ""):
        pytest.skip(f"{name} is not a page ({response.status})")
    assert response.status < 500, f"{name} answered {response.status}"
    page.wait_for_load_state()
    problems = []
    for label, viewport in (("phone", PHONE), ("iPad", IPAD)):
        page.set_viewport_size(viewport)
        if label == "phone":
            for offender in page.evaluate(WIDER_THAN_SCREEN):
                problems.append(f"phone: wider than the screen: {offender}")
            for missing in page.evaluate(MISSING_DESCRIPTIONS):
                problems.append(f"no element with the id named by {missing}")
        for small in page.evaluate(SMALL_TARGETS):
            problems.append(f"{label}: tap target under 44×44: {small}")
        for violation in _axe_serious(page):
            problems.append(f"{label}: axe: {violation}")
        if SCREENSHOTS:
            folder = Path(SCREENSHOTS)
            folder.mkdir(parents=True, exist_ok=True)
            slug = name.replace(":", "-")
            page.screenshot(path=str(folder / f"{role}-{slug}-{label.lower()}.png"), full_page=True)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)

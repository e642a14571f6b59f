"""Issue 11 item 4: a session leader's keepsake answers a subject access request, due one
calendar month after it was made, and shown on Today until it has been downloaded."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from acorn.core.tests import factories as f
from acorn.leaving.models import KeepsakeExport
from acorn.leaving.rules import one_month_after
from acorn.leaving.services import keepsake_expire

LONDON = ZoneInfo("Europe/London")
# Requests are made next month (a session can't predate its account, and the staff's
# checks, recorded today, must still be current), whatever day the tests run.
_SOON = date.today().replace(day=28) + timedelta(days=7)  # in next month
ASKED = _SOON.replace(day=3)
DUE = one_month_after(ASKED)


def said(day: date) -> str:
    """A date as Today writes it: "3 January 2027"."""
    return f"{day.day} {day:%B %Y}"


def on(day, hour=10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=LONDON))


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (date(2026, 12, 3), date(2027, 1, 3)),
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2027, 3, 31), date(2027, 4, 30)),
    ],
)
def test_one_month_is_the_same_date_next_month_or_its_last_day(asked, due):
    assert one_month_after(asked) == due


def start(client, worker, child):
    with worker():
        response = client.post(f"/children/{child.pk}/keepsake")
    assert response.status_code == 302 and "/keepsakes/" in response.url, response
    return KeepsakeExport.objects.get(pk=response.url.split("/")[-2])


def today_page(client) -> str:
    """Today's subject access panel ("" when it isn't shown)."""
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    if 'id="subject-access"' not in page:
        return ""
    return page.split('id="subject-access"', 1)[1].split("</section>", 1)[0]


def test_a_leaders_keepsake_is_a_request_on_today_until_it_is_downloaded(web, worker, source):
    w = source
    deputy = f.staff(w.setting_a, "deputy", name="Dee Deputy", email="deputy@a.test")
    with on(ASKED):
        manager = web(w.manager)
        export = start(manager, worker, w.child)
        assert (export.subject_access, export.due_on) == (True, DUE)
        page = today_page(manager)
        assert "Answer each within one month" in page and "Xander Young" in page
        assert "as the child's family sees it" in page and "unsent drafts" in page
        assert f"due by <strong>{said(DUE)}</strong>" in page
        assert f"/keepsakes/{export.pk}/" in page  # the one who asked downloads it here
        # The deputy sees the request too (without a download: the zip is the manager's).
        theirs = today_page(web(deputy))
        assert "Xander Young" in theirs and f"/keepsakes/{export.pk}/" not in theirs
        # Not another setting's leaders; a family's own keepsake is no request.
        assert today_page(web(w.other_manager)) == ""
        start(web(w.parent), worker, w.child)
        assert today_page(manager).count("<li>") == 1
    with on(DUE + timedelta(days=1)):
        manager = web(w.manager)
        assert f"overdue since {said(DUE)}" in today_page(manager)
        assert manager.get(f"/keepsakes/{export.pk}/download").status_code == 200
        assert today_page(manager) == ""


def test_a_new_zip_for_a_request_still_open_keeps_its_due_date(web, worker, source):
    w = source
    with on(ASKED):
        manager = web(w.manager)
        first = start(manager, worker, w.child)
    # Nobody downloaded it before it was deleted; the leader makes it again.
    keepsake_expire(now=first.expires_at + timedelta(minutes=1))
    with on(ASKED.replace(day=20)):
        manager = web(w.manager)
        assert "deleted before it was downloaded" in today_page(manager)
        again = start(manager, worker, w.child)
        assert again.pk != first.pk and again.due_on == DUE
        page = today_page(manager)
        assert f"due by <strong>{said(DUE)}</strong>" in page and "being made" not in page
        manager.get(f"/keepsakes/{again.pk}/download")
        assert today_page(manager) == ""
        # Once answered, a new request has a new month.
        assert start(manager, worker, w.child).due_on == one_month_after(ASKED.replace(day=20))

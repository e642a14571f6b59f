"""Keepsake zips are kept for 7 days after they are made, then the worker deletes them
(acorn.ops.schedule's `keepsake_expiry`); the page says until when a keepsake can be
downloaded, and offers a new one once it is gone."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from acorn.children.models import Child
from acorn.leaving.models import EXPORT_KEPT_DAYS, KeepsakeExport, Leaving
from acorn.leaving.services import keepsake_expire
from acorn.ops.schedule import JOBS, run_due_jobs

LONDON = ZoneInfo("Europe/London")
# A Monday after the test accounts were made (a session can't predate its account): the
# next one to come, so the test reads the same whatever day it runs (a fixed date was
# overtaken by the calendar).
_TODAY = datetime.now(LONDON).date()
MADE = datetime.combine(_TODAY + timedelta(days=7 - _TODAY.weekday()), time(10, 0), LONDON)
KEPT_UNTIL = MADE + timedelta(days=EXPORT_KEPT_DAYS)  # the Monday after


def said(moment: datetime) -> str:
    """A moment as the keepsake page writes it: "Monday 14 December 2026, 10:00"."""
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M}"


def make_keepsake(web, worker, parent, child):
    client = web(parent)
    with worker():
        started = client.post(f"/children/{child.pk}/keepsake")
    assert started.status_code == 302, started.content
    assert "/keepsakes/" in started.url, started.url
    return client, KeepsakeExport.objects.get(requested_by=parent), started.url


def test_the_worker_deletes_a_keepsake_seven_days_after_it_was_made(web, api, worker, source):
    w = source
    assert "keepsake_expiry" in {job.name for job in JOBS}
    with time_machine.travel(MADE, tick=False):
        client, export, page_url = make_keepsake(web, worker, w.parent, w.child)
        assert export.expires_at == MADE + timedelta(days=EXPORT_KEPT_DAYS)
        page = client.get(page_url).content.decode()
        assert f"You can download it until {said(KEPT_UNTIL)}" in page
    name = export.storage_name
    assert default_storage.exists(name)

    with time_machine.travel(MADE + timedelta(days=EXPORT_KEPT_DAYS, minutes=-1), tick=False):
        assert keepsake_expire() == 0
        assert default_storage.exists(name)
        assert client.get(f"/keepsakes/{export.pk}/download").status_code == 200

    with time_machine.travel(MADE + timedelta(days=EXPORT_KEPT_DAYS, minutes=1), tick=False):
        assert "keepsake_expiry" in run_due_jobs()
        assert not default_storage.exists(name)
        export.refresh_from_db()
        assert (export.status, export.storage_name) == ("expired", "")
        assert client.get(f"/keepsakes/{export.pk}/download").status_code == 404
        assert api(w.parent).get(f"/exports/{export.pk}").json()["status"] == "expired"
        assert api(w.parent).get(f"/exports/{export.pk}/content").status_code == 404
        page = client.get(page_url).content.decode()
        assert "This keepsake has been deleted: we keep each one for 7 days" in page
        assert "Make a new keepsake" in page
        # A new one can be made straight away.
        with worker():
            again = client.post(f"/children/{w.child.pk}/keepsake")
        assert again.url != page_url
        assert KeepsakeExport.objects.filter(status="ready").count() == 1
    # Nothing else of the setting's files went.
    assert default_storage.exists(f"{w.own_photo.storage_prefix}/display.jpg")


def test_running_the_expiry_again_deletes_nothing_more(web, worker, source):
    w = source
    with time_machine.travel(MADE, tick=False):
        make_keepsake(web, worker, w.parent, w.child)
        make_keepsake(web, worker, w.manager, w.child)
    later = MADE + timedelta(days=8)
    assert keepsake_expire(now=later) == 2
    assert keepsake_expire(now=later) == 0
    assert not default_storage.listdir("exports")[1]


def test_in_the_grace_period_the_page_gives_the_grace_periods_end_if_sooner(web, worker, source):
    w = source
    left_on = MADE.date() - timedelta(days=27)  # the grace period ends on the Thursday
    grace_ends = datetime.combine(MADE.date() + timedelta(days=3), time(23, 59), LONDON)
    Leaving.objects.create(child=w.child, leaving_on=left_on, destination_name="Oak Primary")
    Child.objects.filter(pk=w.child.pk).update(status=Child.Status.ARCHIVED)
    with time_machine.travel(MADE, tick=False):
        client, export, page_url = make_keepsake(web, worker, w.parent, w.child)
        assert f"You can download it until {said(grace_ends)}" in (
            client.get(page_url).content.decode()
        )
        # A session leader's copy (a subject access request) keeps its seven days.
        leader, theirs, leader_url = make_keepsake(web, worker, w.manager, w.child)
        assert f"until {said(KEPT_UNTIL)}" in leader.get(leader_url).content.decode()
    assert timezone.localdate(export.expires_at) == KEPT_UNTIL.date()

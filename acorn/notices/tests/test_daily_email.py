"""The daily email: once a day, in the evening, a count and a link, nothing about a child."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from acorn.journal import services as journal
from acorn.journal.models import NotificationPreference
from acorn.notices.digest import daily_emails_send
from acorn.notices.tests.helpers import contribution, entry
from acorn.ops import schedule

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def _at(day, hour):
    return time_machine.travel(datetime(2026, 11, day, hour, 5, tzinfo=UK), tick=False)


def _choose(person, **choice):
    NotificationPreference.objects.update_or_create(user=person, defaults=choice)


def test_parent_gets_one_email_a_day_with_a_count_and_a_link(world, mailoutbox, settings):
    settings.ACORN_BASE_URL = "https://acorn.example"
    _choose(world.parent, email="daily")
    with _at(10, 9):
        entry(world, text="Xander painted a rainbow")
        entry(world, children=[world.child, world.other_child], text="Xander and Yasmin")
    with _at(10, 16):
        assert daily_emails_send() == 0  # not before the evening
    with _at(10, 18):
        assert daily_emails_send() == 1
        assert daily_emails_send() == 0  # a second run the same day sends nothing
    (email,) = mailoutbox
    assert email.to == [world.parent.email]
    assert email.subject == "2 new things for you in Acorn"
    assert "https://acorn.example/notifications/" in email.body
    for secret in ("Xander", "Yasmin", "rainbow", "Young", world.setting_a.name):
        assert secret not in email.body and secret not in email.subject
    with _at(11, 18):
        assert daily_emails_send() == 0  # nothing new since
        entry(world, text="Another")
    with _at(12, 17):
        assert daily_emails_send() == 1
    assert mailoutbox[-1].subject == "1 new thing for you in Acorn"


def test_daily_parents_get_no_email_each_time(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _choose(world.parent, email="daily")
    _choose(world.other_parent, email="none")
    with django_capture_on_commit_callbacks(execute=True):
        entry(world, children=[world.child, world.other_child])
    assert mailoutbox == []


def test_read_or_hidden_notifications_are_not_counted(world, mailoutbox):
    from acorn.children.models import ParentLink
    from acorn.notices.models import Notice

    _choose(world.parent, email="daily")
    _choose(world.other_parent, email="daily")
    with _at(10, 9):
        entry(world)
        entry(world, children=[world.other_child])
    Notice.objects.filter(recipient=world.parent).update(read_at=datetime(2026, 11, 10, tzinfo=UK))
    ParentLink.objects.filter(parent=world.other_parent).delete()
    with _at(10, 18):
        assert daily_emails_send() == 0
    assert mailoutbox == []


def test_each_time_and_none_get_no_daily_email(world, mailoutbox):
    _choose(world.other_parent, email="none")
    with _at(10, 9):
        entry(world, children=[world.child, world.other_child])
    with _at(10, 18):
        assert daily_emails_send() == 0


def test_staff_may_ask_for_a_daily_email_of_their_unread_notifications(world, mailoutbox):
    _choose(world.key_person, staff_daily_email=True)
    with _at(10, 9):
        obs = entry(world, author=world.manager)
        journal.comment_add(observation=obs, author=world.parent, text="Thanks")
        contribution(world)
    with _at(10, 18):
        assert daily_emails_send() == 1
    (email,) = mailoutbox
    assert email.to == [world.key_person.email] and email.subject.startswith("2 new things")
    assert "Xander" not in email.body and "Pat" not in email.body


def test_the_job_runs_once_a_day_even_with_two_workers(world, mailoutbox):
    _choose(world.parent, email="daily")
    job = next(j for j in schedule.JOBS if j.name == "daily_emails")
    with _at(10, 9):
        entry(world)
    with _at(10, 18):
        assert schedule.run_due_jobs(jobs=(job,)) == ["daily_emails"]
        assert schedule.run_due_jobs(jobs=(job,)) == []  # the other worker, same hour
    with _at(10, 20):
        # The job runs again an hour later, but the parent's email for today has gone.
        assert schedule.run_due_jobs(jobs=(job,)) == ["daily_emails"]
    assert len(mailoutbox) == 1


def test_a_parent_another_worker_claimed_is_not_emailed_again(world, mailoutbox):
    """Both workers see the parent as due; only the one whose claim succeeds sends."""
    from acorn.notices import digest

    _choose(world.parent, email="daily")
    with _at(10, 9):
        entry(world)
    real_claim = digest._claim
    sent_by_other = []

    def other_worker_first(preference, today):
        if not sent_by_other:
            sent_by_other.append(real_claim(preference, today))
        return real_claim(preference, today)

    digest._claim = other_worker_first
    try:
        with _at(10, 18):
            assert daily_emails_send() == 0
    finally:
        digest._claim = real_claim
    assert sent_by_other == [True] and mailoutbox == []

"""The daily email (P-5): for parents who chose "one email a day at most", and staff who
asked for a daily email of their unread notifications.

Run hourly by the task workers (acorn/ops/schedule.py); from DIGEST_HOUR in the
evening, UK time, each such person gets at most one email that day: their row is
claimed for the day by one conditional UPDATE before anything is sent, so with several
workers, or a job run twice, the day's email still goes once. The email holds a count
and a link, nothing else: no child's name, no setting, no words of an entry.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from acorn.journal.models import NotificationPreference
from acorn.journal.notifications import _send
from acorn.notices.models import Notice
from acorn.notices.selectors import notices_for

UK = ZoneInfo("Europe/London")
DIGEST_HOUR = 17  # parents read Acorn in the evening
WINDOW = timedelta(days=1)


def _kinds(preference) -> list[str]:
    kinds = []
    if preference.email == NotificationPreference.Email.DAILY:
        kinds += Notice.PARENT_KINDS
    if preference.staff_daily_email:
        kinds += Notice.STAFF_KINDS
    return kinds


def _claim(preference, today) -> bool:
    return (
        NotificationPreference.objects.filter(pk=preference.pk)
        .filter(Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today))
        .update(digest_sent_on=today)
        == 1
    )


def daily_emails_send(now=None) -> int:
    """Send today's daily emails that are due; returns how many were sent."""
    now = now or timezone.now()
    local = now.astimezone(UK)
    if local.hour < DIGEST_HOUR:
        return 0
    today = local.date()
    due = (
        NotificationPreference.objects.filter(
            Q(email=NotificationPreference.Email.DAILY) | Q(staff_daily_email=True),
            user__is_active=True,
        )
        .filter(Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today))
        .select_related("user")
    )
    sent = 0
    for preference in due:
        if not _claim(preference, today):
            continue  # another worker has it
        person = preference.user
        count = (
            notices_for(person)
            .filter(read_at=None, kind__in=_kinds(preference), created_at__gt=now - WINDOW)
            .order_by()
            .count()
        )
        if count:
            _send(person, "daily_digest", {"count": count, "path": "/notifications/"})
            sent += 1
    return sent

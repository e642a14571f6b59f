"""When a child who is leaving stops being part of the setting's day, decided by dates.

Reads are decided from the leaving record and today's date, not from a status a job has
to update first, so the rules hold from the first minute of the leaving date (L-1, L-3):

- attending: the child is in the active lists, Today, monitoring and the capture page;
- archived: the leaving date has come and no transfer was accepted. Practitioners lose
  access, session leaders keep read access, parents keep read access for GRACE_DAYS;
- expired: the grace period is over. Parents lose access; the purge is due (L-4).

Nothing can be written to an archived child's journal (`require_journal_open`).
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from acorn.core.policy import PolicyRefusal
from acorn.leaving.models import GRACE_DAYS, Leaving


def today():
    return timezone.localdate()


def one_month_after(day):
    """A subject access request's due date (UK GDPR art. 12(3), as the ICO counts it):
    the same date next month, or that month's last day if it has no such date (a request
    made on 31 January is due on 28 or 29 February)."""
    import calendar

    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _due_q(on) -> Q:
    return Q(leaving_on__lte=on, transferred_at__isnull=True)


def _due(child_ref: str, on):
    return Leaving.objects.filter(
        child_id=OuterRef(child_ref), leaving_on__lte=on, transferred_at__isnull=True
    )


def archived(child_ref: str = "pk", on=None) -> Exists:
    """An Exists for querysets: the child (by `child_ref`) is archived on that day."""
    return Exists(_due(child_ref, on or today()))


def expired(child_ref: str = "pk", on=None) -> Exists:
    """The grace period is over (day GRACE_DAYS + 1 after the leaving date, or later)."""
    return expired_by(child_ref, expiry_cutoff(on or today()))


def expiry_cutoff(on):
    """The latest leaving date whose grace period is over on that day."""
    return on - timedelta(days=GRACE_DAYS + 1)


def expired_by(child_ref: str, cutoff) -> Exists:
    """`expired`, given its cutoff (`expiry_cutoff`): for a statement, where the date is
    a value put in at each run."""
    return Exists(_due(child_ref, cutoff))


def attending(children, on=None):
    """Of these children, those still attending (active, or leaving on a later date)."""
    from acorn.children.models import Child

    return children.filter(status__in=[Child.Status.ACTIVE, Child.Status.LEFT]).exclude(
        archived("pk", on)
    )


def is_archived(child, on=None) -> bool:
    on = on or today()
    cache = getattr(child, "_acorn_archived", None)
    if cache is None or cache[0] != on:
        cache = (on, Leaving.objects.filter(child_id=child.pk).filter(_due_q(on)).exists())
        child._acorn_archived = cache
    return cache[1]


class JournalClosed(PolicyRefusal):
    code = "forbidden"
    title = "This child has left"
    default_detail = "This child has left the setting, so their journal can't be changed."


def require_journal_open(children, on=None) -> None:
    """No write reaches an archived child's journal (L-3): entries, replies, media,
    appearances, assessments and the child's details are read-only from the leaving date."""
    ids = [child.pk for child in children]
    if not ids:
        return
    on = on or today()
    closed = Leaving.objects.filter(child_id__in=ids).filter(_due_q(on)).exists()
    if closed:
        raise JournalClosed(
            "A child in this has left the setting, so their journal can't be changed any more.",
            next_step="Session leaders can still read it, and the family can download a "
            "keepsake during the grace period.",
        )

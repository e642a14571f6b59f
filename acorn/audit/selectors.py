"""Reading the audit trail (A-8): a setting's session leaders see their setting's events
and nothing else. Events without a setting (sign-ins, failed sign-ins, password and
two-step changes) belong to the person, who may work in other settings too, so they are
shown to no setting's leaders (issue 8)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from acorn.audit.models import AuditEvent


def audit_trail(
    setting, *, child_id=None, actor_id=None, since: date | None = None, until: date | None = None
):
    """The caller has checked that they lead `setting`, and that `child_id` and
    `actor_id` (if given) belong to it."""
    events = AuditEvent.objects.filter(setting_id=setting.pk)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if child_id is not None:
        events = events.filter(child_id=child_id)
    zone = ZoneInfo(setting.timezone)
    if since is not None:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-id")


def people_of_setting(setting):
    """Everyone whose actions a setting's leaders may look up: its staff and the parents
    of its children."""
    from acorn.accounts.models import User

    return (
        User.objects.filter(
            Q(memberships__setting=setting) | Q(parent_links__child__setting=setting)
        )
        .distinct()
        .order_by("name")
    )

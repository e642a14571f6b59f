"""Reading the audit trail (A-8): a setting's session leaders see their setting's events,
and, when they look at one person of the setting, that person's sign-ins too."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from acorn.audit.models import AuditEvent
from acorn.core.params import date_clamped


def audit_trail(
    setting, *, child_id=None, actor_id=None, since: date | None = None, until: date | None = None
):
    """The caller has checked that they lead `setting`, and that `child_id` and
    `actor_id` (if given) belong to it."""
    rule = Q(setting_id=setting.pk)
    if actor_id is not None:
        rule = (rule | Q(setting_id=None)) & Q(actor_id=actor_id)
    events = AuditEvent.objects.filter(rule)
    if child_id is not None:
        events = events.filter(child_id=child_id)
    zone = ZoneInfo(setting.timezone)
    since, until = date_clamped(since), date_clamped(until)  # 9999-12-31 has no next day
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

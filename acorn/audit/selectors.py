"""Reading the audit trail (A-8): a setting's session leaders see their setting's events
and nothing else. Events without a setting (sign-ins, failed sign-ins, password and
two-step changes) belong to the person, who may work in other settings too, so they are
shown to no setting's leaders (issue 8)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.kept import Constant, statement
from acorn.core.params import date_clamped


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


def settings_of_person(user) -> list:
    """The settings a person belongs to: where they are staff, and their children's."""
    from acorn.children.models import Child
    from acorn.org.selectors import memberships_of

    ids = list(memberships_of(user))
    for setting_id in (
        Child.objects.filter(parent_links__parent=user)
        .values_list("setting_id", flat=True)
        .distinct()
    ):
        if setting_id not in ids:
            ids.append(setting_id)
    return ids


def role_in_setting(person, setting_id) -> str:
    """How a setting knows this person, in a word: "manager", "practitioner", "parent"."""
    from acorn.org.models import Membership

    membership = Membership.objects.filter(user=person, setting_id=setting_id).first()
    return membership.get_role_display().lower() if membership is not None else "parent"


@dataclass
class ProbingFlag:
    person_id: object
    name: str
    role: str
    count: int
    started: datetime
    ended: datetime

    @property
    def span(self) -> str:
        minutes = ceil((self.ended - self.started).total_seconds() / 60)
        if minutes <= 1:
            return "within a minute"
        return f"in {minutes} minutes"


def probing_flags(setting, *, hours: int = 24, now=None) -> list[ProbingFlag]:
    """Bursts of refusals by one person flagged for this setting in the last day, newest
    first, with how many things they tried in the burst (a fixed number of queries)."""
    from acorn.audit.services import PROBING_WINDOW

    noticed, args = probing_asked(setting, hours=hours, now=now)
    notices = noticed.rows(*args)
    if not notices:
        return []
    people = sorted({n.actor_id for n in notices if n.actor_id is not None}, key=str)
    starts = {n.pk: datetime.fromisoformat(n.detail.get("since")) for n in notices}
    refusals = {}
    for refusal in _probing_refusals.rows(setting.pk, people, min(starts.values())):
        refusals.setdefault(refusal.actor_id, []).append(refusal.at)
    names = {person.pk: person.name for person in _people_named.rows(people)}
    roles = {m.user_id: m.get_role_display().lower() for m in _roles_of.rows(setting.pk, people)}
    flags = []
    for notice in notices:
        burst = []
        for at in refusals.get(notice.actor_id, []):
            if at < starts[notice.pk]:
                continue
            if burst and at - burst[-1] > PROBING_WINDOW:
                break
            burst.append(at)
        if not burst:
            continue
        flags.append(
            ProbingFlag(
                person_id=notice.actor_id,
                name=names.get(notice.actor_id, "A former user"),
                role=roles.get(notice.actor_id, "parent"),
                count=len(burst),
                started=burst[0],
                ended=burst[-1],
            )
        )
    return flags


@statement
def _probing_refusals(setting_id, people, since):
    from acorn.audit.services import PROBING_ACTIONS

    return (
        AuditEvent.objects.filter(
            setting_id=setting_id, actor_id__in=people, action__in=PROBING_ACTIONS, at__gte=since
        )
        .order_by("at")
        .only("id", "actor_id", "at")
    )


@statement
def _people_named(people):
    from acorn.accounts.models import User

    return User.objects.filter(pk__in=people).only("id", "name")


@statement
def _roles_of(setting_id, people):
    from acorn.org.models import Membership

    return Membership.objects.filter(setting_id=setting_id, user_id__in=people)


def probing_asked(setting, *, hours: int = 24, now=None) -> tuple:
    """What `probing_flags` reads first, as a `(statement, args)` pair for
    `acorn.core.kept.found_together`: where it finds nothing, there are no flags."""
    since = (now or timezone.now()) - timedelta(hours=hours)
    return _probing_noticed, (setting.pk, since)


@statement
def _probing_noticed(setting_id, since):
    """Today asks on every visit: compiled once per process (`acorn.core.kept`)."""
    from acorn.audit.services import PROBING_NOTICED

    # The action in the SQL itself, so PostgreSQL's one plan for every run can use the
    # flags' partial index (`acorn.core.kept.Constant`).
    return AuditEvent.objects.filter(
        setting_id=setting_id, action=Constant(PROBING_NOTICED), at__gte=since
    ).order_by("-at")

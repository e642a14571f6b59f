from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from acorn.core.kept import Constant, statement
from acorn.org.models import DutyPeriod, Membership, Setting


def memberships_of(user) -> dict:
    """The person's active staff memberships by setting id, cached on the user object so a
    request asks the database once."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_acorn_memberships", None)
    if cached is None:
        cached = {m.setting_id: m for m in _active_memberships.rows(user.pk)}
        user._acorn_memberships = cached
    return cached


@statement
def _active_memberships(user_id):
    """Asked on every request: compiled once per process (`acorn.core.kept`)."""
    return Membership.objects.filter(user_id=user_id, is_active=True).select_related("setting")


def off_site_refusals(user) -> dict:
    """The settings whose off-site rule (A-6) refuses the current request, by setting id,
    with the refusal to raise (decided by org.rules.require_on_site)."""
    return getattr(user, "_acorn_off_site", None) or {}


def off_site_refusals_set(user, refusals: dict) -> None:
    user._acorn_off_site = refusals


def membership_in(user, setting_id) -> Membership | None:
    return memberships_of(user).get(setting_id)


def current_membership(user, chosen_setting_id=None) -> Membership | None:
    """The membership a staff member is working in: the one they chose, else their first."""
    memberships = memberships_of(user)
    if not memberships:
        return None
    if chosen_setting_id:
        for setting_id, membership in memberships.items():
            if str(setting_id) == str(chosen_setting_id):
                return membership
    return sorted(memberships.values(), key=lambda m: m.setting.name)[0]


def staff_of(setting: Setting):
    return (
        Membership.objects.filter(setting=setting, is_active=True)
        .select_related("user")
        .order_by("user__name")
    )


def key_person_choices(setting: Setting):
    from acorn.accounts.models import User

    return User.objects.filter(
        memberships__setting=setting, memberships__is_active=True, is_active=True
    ).order_by("name")


def observations_supervised_by(leader, setting):
    """Observations recorded under this session leader's supervision (A-7), newest first,
    for Today: the date, the text and the author's name. Only for a leader cleared to see
    children's data."""
    from acorn.journal.models import Observation

    return (
        Observation.objects.filter(setting=setting, supervisor=leader)
        # In the SQL itself, so a prepared statement is planned knowing it (`Constant`).
        .exclude(status=Constant(Observation.Status.DRAFT))
        .select_related("author")
        .only("id", "observed_on", "text", "created_at", "author__name")
        .order_by("-created_at")
    )


@statement
def supervised_shown(leader_id, setting_id):
    """The 20 newest of `observations_supervised_by`, as Today lists them."""
    return observations_supervised_by(leader_id, setting_id)[:20]


def leaders_on_duty(setting, now=None):
    """Session leaders on duty now: started today (in the setting's time zone), not ended."""
    now = now or timezone.now()
    return _duty_periods(setting.pk, _day_start(setting, now), now)


def leaders_on_duty_now(setting) -> list:
    """`leaders_on_duty` as a list, compiled once per process (`acorn.core.kept`)."""
    now = timezone.now()
    return _duty_periods.rows(setting.pk, _day_start(setting, now), now)


def _day_start(setting, now) -> datetime:
    zone = ZoneInfo(setting.timezone)
    return datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)


@statement
def _duty_periods(setting, day_start, now):
    return (
        DutyPeriod.objects.filter(
            setting=setting,
            ended_at=None,
            started_at__gte=day_start,
            started_at__lte=now,
            leader__memberships__setting=setting,
            leader__memberships__is_active=True,
            leader__memberships__role__in=Membership.SESSION_LEADER_ROLES,
        )
        .select_related("leader")
        .order_by("-started_at")
    )

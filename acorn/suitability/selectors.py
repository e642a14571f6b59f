"""Who is cleared to see children's data (A-5), decided in one place.

`clearance_of` works out, for one staff member in one setting, what is missing and what
falls due within 30 days. The answer is cached on the person object, so a request asks
the database once per setting however many times the gate is consulted, and in the shared
cache under the membership's `checks_version` and the setting's date: any change to the
person's records raises the version in the same transaction (`records_changed`), and a
new day is a new key, so a check recorded or lapsing is seen on the very next request.
"""

import secrets
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

from acorn.core.kept import statement
from acorn.core.policy import ChecksIncomplete
from acorn.org.models import Membership
from acorn.org.selectors import memberships_of, off_site_refusals
from acorn.suitability.models import (
    CHECK_NAMES,
    DbsCheck,
    Declaration,
    SafeguardingTraining,
    StatusCheck,
    UpdateServiceSubscription,
)

EXPIRY_WINDOW_DAYS = 30
SELF_DECLARATION_MONTHS = 12
TRAINING_YEARS = 2

LABELS = {
    "dbs_enhanced": "enhanced DBS check with the children's barred list",
    "update_service": "DBS Update Service subscription",
    "online_safety": "signed online safety declaration",
    "self_declaration": "self-declaration of suitability signed in the last 12 months",
    "safeguarding_training": "safeguarding training",
}

SHORT_LABELS = {
    "dbs_enhanced": "DBS check",
    "update_service": "Update Service",
    "online_safety": "Online safety declaration",
    "self_declaration": "Self-declaration",
    "safeguarding_training": "Safeguarding training",
}


@dataclass
class Clearance:
    missing: list[str] = field(default_factory=list)
    expiring: list[str] = field(default_factory=list)
    # why each missing item is missing, and when each item falls due (for the register)
    reasons: dict = field(default_factory=dict)
    due: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    training_due: date | None = None

    @property
    def cleared(self) -> bool:
        return not self.missing


def setting_today(setting) -> date:
    return timezone.localdate(timezone=ZoneInfo(setting.timezone))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _load(setting, person_ids) -> dict:
    """The latest record of each kind for each person: six queries for any number of
    people (each ordered so that the first row seen per person is the one that counts)."""
    records = {pid: {} for pid in person_ids}
    sources = [
        ("dbs_enhanced", DbsCheck, ("-issued_on", "-recorded_at"), {}),
        ("status_check", StatusCheck, ("-checked_on", "-recorded_at"), {}),
        ("update_service", UpdateServiceSubscription, ("-recorded_at",), {}),
        ("online_safety", Declaration, ("-recorded_at",), {"kind": "online_safety"}),
        ("self_declaration", Declaration, ("-recorded_at",), {"kind": "self_declaration"}),
        ("safeguarding_training", SafeguardingTraining, ("-completed_on", "-recorded_at"), {}),
    ]
    for name, model, order, extra in sources:
        rows = model.objects.filter(setting=setting, person_id__in=person_ids, **extra).order_by(
            *order
        )
        for row in rows:
            records[row.person_id].setdefault(name, row)
    return records


def compute_clearance(person, setting, today: date | None = None, records=None) -> Clearance:
    today = today or setting_today(setting)
    if records is None:
        records = _load(setting, [person.pk])[person.pk]
    result = Clearance()
    soon = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    dbs = records.get("dbs_enhanced")
    status = records.get("status_check")
    subscription = records.get("update_service")
    declarations = {k: records[k] for k in ("online_safety", "self_declaration") if k in records}
    training = records.get("safeguarding_training")
    result.records = records

    if dbs is None:
        result.reasons["dbs_enhanced"] = "No enhanced DBS check is recorded."
    elif (
        status is not None
        and status.result != StatusCheck.Result.NO_NEW_INFORMATION
        and dbs.issued_on <= status.checked_on
    ):
        # The latest status check counts; a newer clean check or a new certificate reopens.
        result.reasons["dbs_enhanced"] = (
            f"The Update Service status check on {status.checked_on:%-d %B %Y} said "
            f"“{status.get_result_display().lower()}”."
        )

    if subscription is None:
        result.reasons["update_service"] = "No DBS Update Service subscription is recorded."
    elif subscription.renews_on < today:
        result.reasons["update_service"] = (
            f"The Update Service subscription lapsed on {subscription.renews_on:%-d %B %Y}."
        )
    else:
        result.due["update_service"] = subscription.renews_on

    if "online_safety" not in declarations:
        result.reasons["online_safety"] = "The online safety declaration hasn't been signed."

    self_declaration = declarations.get("self_declaration")
    if self_declaration is None:
        result.reasons["self_declaration"] = "No self-declaration has been signed."
    else:
        signed = timezone.localdate(self_declaration.recorded_at, ZoneInfo(setting.timezone))
        renew_by = add_months(signed, SELF_DECLARATION_MONTHS)
        if renew_by <= today:
            result.reasons["self_declaration"] = (
                f"The self-declaration signed on {signed:%-d %B %Y} is more than 12 months old."
            )
        else:
            result.due["self_declaration"] = renew_by

    if training is not None:
        result.training_due = add_months(training.completed_on, 12 * TRAINING_YEARS)

    result.missing = [name for name in CHECK_NAMES if name in result.reasons]
    result.expiring = [
        name for name in CHECK_NAMES if name in result.due and result.due[name] <= soon
    ]
    return result


CLEARANCE_CACHE_SECONDS = 24 * 60 * 60


def clearance_of(person, setting) -> Clearance:
    """Cached per person object (that is, per request), and across requests by membership,
    version of its records and the setting's date."""
    per_request = person.__dict__.setdefault("_acorn_clearance", {})
    if setting.pk not in per_request:
        per_request[setting.pk] = _shared_clearance(person, setting)
    return per_request[setting.pk]


def _shared_clearance(person, setting) -> Clearance:
    membership = memberships_of(person).get(setting.pk)
    if membership is None:
        return compute_clearance(person, setting)
    today = setting_today(setting)
    key = _clearance_key(membership, today)
    clearance = _known_here(key)
    if clearance is None:
        clearance = cache.get(key)
        if clearance is None:
            clearance = compute_clearance(person, setting, today)
            cache.set(key, clearance, CLEARANCE_CACHE_SECONDS)
        _KNOWN_HERE.set(key, clearance)
    return clearance


class _KnownHere:
    """Answers this process has read from the shared cache, or worked out, by their key:
    a staff page asked the cache (and unpickled a person's records) on every request
    (issue 13). A key names one answer for good (membership, its records' stamp, the
    setting's date), so an answer is kept here as long as the shared cache keeps it, and
    no longer. Bounded: the oldest go first."""

    def __init__(self, size: int = 10_000):
        self.items: dict = {}
        self.size = size

    def get(self, key):
        found = self.items.get(key)
        if found is None:
            return None
        answer, until = found
        if time.monotonic() >= until:
            self.items.pop(key, None)
            return None
        return answer

    def set(self, key, answer) -> None:
        if len(self.items) >= self.size:
            self.items.pop(next(iter(self.items)), None)
        self.items[key] = (answer, time.monotonic() + CLEARANCE_CACHE_SECONDS)


_KNOWN_HERE = _KnownHere()
_known_here = _KNOWN_HERE.get


def _clearance_key(membership, today: date) -> str:
    return (
        f"acorn:clearance:{membership.pk}:{membership.checks_version}:{today.isoformat()}"
        f":{_written_here}"
    )


# Record writes made by this process. A person object held for longer than a request
# (a command, a test) may carry a membership stamp older than its records; counting this
# process's own writes in the key means it never reads an answer cached before them.
_written_here = 0


def records_changed(sender, instance, **kwargs):
    """A suitability record was written or removed: the person's clearance there is new.
    The stamp is random rather than counted, so a rolled-back change can't leave behind a
    cached answer that a later change would find again."""
    global _written_here
    _written_here += 1
    Membership.objects.filter(setting_id=instance.setting_id, user_id=instance.person_id).update(
        checks_version=secrets.randbelow(2**31)
    )


def forget_clearance(person) -> None:
    """After writing this person's records within a request: drop what this request
    remembered (its clearances and the stamps of its memberships)."""
    person.__dict__.pop("_acorn_clearance", None)
    memberships = person.__dict__.get("_acorn_memberships") or {}
    if memberships:
        stamps = dict(
            Membership.objects.filter(pk__in=[m.pk for m in memberships.values()]).values_list(
                "pk", "checks_version"
            )
        )
        for membership in memberships.values():
            membership.checks_version = stamps.get(membership.pk, membership.checks_version)


def is_cleared(user, setting_id) -> bool:
    """Cleared (A-5) and, on this request, not refused by the setting's off-site rule
    (A-6): the gate to a setting's children's data."""
    membership = memberships_of(user).get(setting_id)
    return (
        membership is not None
        and setting_id not in off_site_refusals(user)
        and clearance_of(user, membership.setting).cleared
    )


def cleared_setting_ids(user) -> set:
    off_site = off_site_refusals(user)
    return {
        sid
        for sid, m in memberships_of(user).items()
        if sid not in off_site and clearance_of(user, m.setting).cleared
    }


def session_leaders_of(setting) -> list:
    return [m.user for m in session_leader_memberships(setting)]


def session_leader_memberships(setting) -> list:
    return [
        m
        for m in Membership.objects.filter(
            setting=setting, is_active=True, role__in=Membership.SESSION_LEADER_ROLES
        )
        .select_related("user")
        .order_by("role", "user__name")
    ]


def refusal_for(user, setting) -> ChecksIncomplete:
    """The refusal an uncleared staff member sees: what is missing and who can fix it
    (or, off-site, the off-site rule's refusal)."""
    off_site = off_site_refusals(user).get(setting.pk)
    if off_site is not None:
        return off_site
    clearance = clearance_of(user, setting)
    missing = "; ".join(LABELS[name] for name in clearance.missing)
    leaders = [
        f"{m.user.name} ({'you' if m.user_id == user.pk else m.get_role_display().lower()})"
        for m in session_leader_memberships(setting)
    ]
    who = ", ".join(leaders) or "your manager"
    signs = [n for n in clearance.missing if n in ("online_safety", "self_declaration")]
    records = [n for n in clearance.missing if n not in signs]
    steps = []
    if records:
        steps.append(f"{who} can record the checks on the staff register.")
    if signs:
        steps.append("You sign the declarations yourself, on your account page.")
    refusal = ChecksIncomplete(
        f"You can't see children's information at {setting.name} until your suitability "
        f"checks are complete. Still needed: {missing}.",
        next_step=" ".join(steps),
    )
    refusal.missing = list(clearance.missing)
    return refusal


def require_cleared(user, setting_id) -> None:
    """Raises ChecksIncomplete unless this staff member is cleared in this setting. People
    who aren't staff of the setting are not this rule's business (the selectors 404)."""
    membership = memberships_of(user).get(setting_id)
    if membership is None:
        return
    if setting_id in off_site_refusals(user) or not clearance_of(user, membership.setting).cleared:
        raise refusal_for(user, membership.setting)


def clearance_register(setting, members=None):
    """Staff members of the setting with their clearance (a fixed number of queries)."""
    if members is None:
        members = _active_members.rows(setting.pk)
    today = setting_today(setting)
    # Each member's answer is shared with `clearance_of` under the same key (membership,
    # its records' stamp, the date): the records are read only for those not yet known.
    keys = {m.pk: _clearance_key(m, today) for m in members}
    known = {key: found for key in keys.values() if (found := _known_here(key)) is not None}
    asked = [key for key in keys.values() if key not in known]
    if asked:
        shared = cache.get_many(asked)
        missing = [m for m in members if keys[m.pk] not in known and keys[m.pk] not in shared]
        if missing:
            records = _load(setting, [m.user_id for m in missing])
            worked_out = {
                keys[m.pk]: compute_clearance(m.user, setting, today, records[m.user_id])
                for m in missing
            }
            cache.set_many(worked_out, CLEARANCE_CACHE_SECONDS)
            shared.update(worked_out)
        for key, answer in shared.items():
            _KNOWN_HERE.set(key, answer)
        known.update(shared)
    return [(m, known[keys[m.pk]]) for m in members]


@statement
def _active_members(setting_id):
    """Today's register asks on every visit: compiled once per process (`acorn.core.kept`)."""
    return (
        Membership.objects.filter(setting_id=setting_id, is_active=True)
        .select_related("user")
        .order_by("user__name")
    )

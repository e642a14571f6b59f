"""Setting rules that decide whether a staff member may act now.

- The off-site rule (A-6): once a setting lists its on-premises networks, only key
  workers (key person to at least one attending child) may use Acorn from any other
  address. Back-up key people are not key workers for this rule: the policy names key
  workers, and a back-up's need to work from home is the exception, not the role.
- The session-time rule (A-7): `observation_supervisor` is called by
  journal.services.observation_create for every staff-written observation. A
  practitioner without key children may record only during the setting's session times
  while a session leader is on duty; the leader on duty is returned and stored as the
  observation's supervisor. Session leaders supervise themselves and key workers need
  no supervision (None).
"""

from datetime import time
from zoneinfo import ZoneInfo

from django.utils import timezone

from acorn.audit.services import address_in, client_ip
from acorn.core.policy import OffSite, OutsideSessionTimes
from acorn.org.selectors import (
    leaders_on_duty,
    membership_in,
    memberships_of,
    off_site_refusals,
    off_site_refusals_set,
)
from acorn.suitability.selectors import require_cleared

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def is_key_worker(user, setting_id) -> bool:
    """Key person to at least one attending child of the setting (cached per request)."""
    from acorn.children.models import Child

    cache = user.__dict__.setdefault("_acorn_key_worker", {})
    if setting_id not in cache:
        cache[setting_id] = Child.objects.filter(
            setting_id=setting_id, key_person=user, status=Child.Status.ACTIVE
        ).exists()
    return cache[setting_id]


def off_site_refusal(request, membership) -> OffSite | None:
    """The off-site rule of one setting (A-6) for this request, decided with that
    setting's own networks and trusted proxies only; None when it allows the request."""
    setting = membership.setting
    networks = setting.on_site_networks
    if not networks:
        return None
    address = client_ip(request, setting)
    if address_in(address, networks):
        return None
    if is_key_worker(request.user, setting.pk):
        return None
    return OffSite(
        f"You're connecting from outside {setting.name} (address {address}). "
        "Only key people may use Acorn away from the setting.",
        next_step="Please use Acorn on the setting's own network, or ask a session leader "
        "if you think this is wrong.",
    )


def require_on_site(request) -> None:
    """Decides the off-site rule for every setting the person works in, each by its own
    networks and proxies, so one setting's rules never reach the person's work in another.

    Settings that refuse are remembered for this request (`off_site_refusals`): their
    children and pages are out of reach (the suitability gate and the leader checks
    refuse them with `off_site`). The setting being worked in moves to one that allows
    the request; only when every setting refuses is the whole request refused."""
    memberships = memberships_of(request.user)
    if not memberships:
        return
    refusals = {}
    for setting_id, membership in memberships.items():
        refusal = off_site_refusal(request, membership)
        if refusal is not None:
            refusals[setting_id] = refusal
    off_site_refusals_set(request.user, refusals)
    if not refusals:
        return
    working = getattr(request, "membership", None)
    if len(refusals) == len(memberships):
        raise refusals.get(getattr(working, "setting_id", None)) or next(iter(refusals.values()))
    if working is None or working.setting_id in refusals:
        allowed = [m for sid, m in memberships.items() if sid not in refusals]
        request.membership = sorted(allowed, key=lambda m: m.setting.name)[0]


def require_on_site_in(user, setting_id) -> None:
    """Raises OffSite when this request may not act on `setting_id`'s data (A-6)."""
    refusal = off_site_refusals(user).get(setting_id)
    if refusal is not None:
        raise refusal


def session_now(setting, now=None):
    """The session running now in the setting's time zone as (start, end), or None. A
    session includes its start minute and ends just before its end time."""
    now = (now or timezone.now()).astimezone(ZoneInfo(setting.timezone))
    current = now.time().replace(tzinfo=None)
    for session in setting.session_times or ():
        if session.get("weekday") != now.weekday():
            continue
        start = time.fromisoformat(session["start"])
        end = time.fromisoformat(session["end"])
        if start <= current < end:
            return start, end
    return None


def observation_supervisor(*, author, setting_id):
    membership = membership_in(author, setting_id)
    if membership is None:
        return None
    # Writing about children is reading their data too: the suitability gate.
    require_cleared(author, setting_id)
    if membership.is_session_leader:
        return None
    if is_key_worker(author, setting_id):
        return None
    setting = membership.setting
    if session_now(setting) is None:
        raise OutsideSessionTimes(
            "Staff without key children can record observations only during session "
            "times, and it isn't session time now.",
            next_step=_session_times_text(setting),
        )
    leader = leaders_on_duty(setting).first()
    if leader is None:
        raise OutsideSessionTimes(
            "Staff without key children can record observations only while a session "
            "leader (the manager or deputy) is on duty, and no one is on duty now.",
            next_step="Ask the manager or deputy to go on duty in Acorn, then try again.",
        )
    return leader.leader


def _session_times_text(setting) -> str:
    sessions = sorted(setting.session_times or (), key=lambda s: (s["weekday"], s["start"]))
    if not sessions:
        return "The setting hasn't listed its session times yet: ask a session leader."
    listed = ", ".join(f"{WEEKDAYS[s['weekday']]} {s['start']}–{s['end']}" for s in sessions)
    return f"Session times: {listed}."

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

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from acorn.audit.services import address_in, client_ip
from acorn.core.policy import OffSite, OutsideSessionTimes, PolicyRefusal
from acorn.org.selectors import (
    leaders_on_duty,
    membership_in,
    memberships_of,
    off_site_refusals,
    off_site_refusals_set,
)
from acorn.suitability.selectors import (
    clearance_register,
    require_cleared,
    session_leader_memberships,
)

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def is_key_worker(user, setting_id) -> bool:
    """Key person to at least one attending child of the setting (cached per request)."""
    from acorn.children.models import Child

    cache = user.__dict__.setdefault("_acorn_key_worker", {})
    if setting_id not in cache:
        from acorn.leaving.rules import attending

        cache[setting_id] = attending(
            Child.objects.filter(setting_id=setting_id, key_person=user)
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


WEEKDAYS_SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def session_times_summary(setting) -> str:
    """Session times in a few words, runs of days with the same times joined:
    "Mon–Fri 08:45–15:15", or "Mon 09:00–12:00, Wed 13:00–15:30"."""
    by_times = {}
    for session in sorted(setting.session_times or (), key=lambda s: (s["weekday"], s["start"])):
        by_times.setdefault((session["start"], session["end"]), []).append(session["weekday"])
    parts = []
    for (start, end), days in by_times.items():
        runs, run = [], [days[0]]
        for day in days[1:]:
            if day == run[-1] + 1:
                run.append(day)
            else:
                runs.append(run)
                run = [day]
        runs.append(run)
        for run in runs:
            if len(run) > 2:
                named = f"{WEEKDAYS_SHORT[run[0]]}–{WEEKDAYS_SHORT[run[-1]]}"
            else:
                named = ", ".join(WEEKDAYS_SHORT[d] for d in run)
            parts.append((run[0], start, f"{named} {start}–{end}"))
    return ", ".join(text for _, _, text in sorted(parts))


def next_session_start(setting, now=None):
    """When the next session starts (in the setting's time zone), or None if no session
    times are listed. A session running now doesn't count: this is the one after it."""
    now = (now or timezone.now()).astimezone(ZoneInfo(setting.timezone))
    sessions = setting.session_times or ()
    if not sessions:
        return None
    for days_ahead in range(8):
        day = now.date() + timedelta(days=days_ahead)
        starts = sorted(
            time.fromisoformat(s["start"]) for s in sessions if s.get("weekday") == day.weekday()
        )
        for start in starts:
            moment = datetime.combine(day, start, tzinfo=now.tzinfo)
            if moment > now:
                return moment
    return None


def when_text(moment, now=None) -> str:
    """ "today at 08:45", "Monday at 08:45" or "next Monday at 08:45"."""
    now = (now or timezone.now()).astimezone(moment.tzinfo)
    days = (moment.date() - now.date()).days
    at = f"{moment:%H:%M}"
    if days == 0:
        return f"today at {at}"
    return f"{'next ' if days >= 7 else ''}{WEEKDAYS[moment.weekday()]} at {at}"


def duty_started_message(setting, now=None) -> str:
    """What a session leader is told on going on duty: the truth about session times."""
    current = session_now(setting, now)
    if current is not None:
        return (
            f"You're on duty. Practitioners can record observations now, until {current[1]:%H:%M}."
        )
    if not setting.session_times:
        return (
            "You're on duty, but no session times are listed, so practitioners without key "
            "children can't record observations yet. Add session times under Rules."
        )
    upcoming = next_session_start(setting, now)
    return (
        "You're on duty. Practitioners can record observations during session times "
        f"({session_times_summary(setting)}); the next session starts "
        f"{when_text(upcoming, now)}."
    )


@dataclass
class PublishOutlook:
    """Whether this person may publish an observation now, told before they start
    (A-5, A-6, A-7). Decided by the same functions that decide at Publish."""

    may_publish: bool
    refusal: PolicyRefusal | None = None
    supervisor: object = None
    leaders: list = field(default_factory=list)
    sessions: str = ""
    next_session: str = ""
    in_session: bool = False


def publish_outlook(request, setting) -> PublishOutlook:
    author = request.user
    try:
        require_cleared(author, setting.pk)
        if getattr(request, "membership", None) is not None:
            require_on_site(request)
        supervisor = observation_supervisor(author=author, setting_id=setting.pk)
    except PolicyRefusal as refusal:
        outlook = PublishOutlook(may_publish=False, refusal=refusal)
    else:
        return PublishOutlook(may_publish=True, supervisor=supervisor)
    if isinstance(outlook.refusal, OutsideSessionTimes):
        leaders = session_leader_memberships(setting)
        outlook.leaders = [
            member.user
            for member, clearance in clearance_register(setting, leaders)
            if clearance.cleared
        ]
        outlook.in_session = session_now(setting) is not None
        outlook.sessions = session_times_summary(setting)
        upcoming = next_session_start(setting)
        outlook.next_session = when_text(upcoming) if upcoming else ""
    return outlook

import ipaddress
from datetime import timedelta
from itertools import pairwise

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.kept import Kept


def _networks(cidrs) -> list:
    networks = []
    for cidr in cidrs or ():
        try:
            networks.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
        except ValueError:
            continue
    return networks


def _address(value):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except (ValueError, AttributeError):
        return None


def address_in(address, cidrs) -> bool:
    parsed = _address(address) if isinstance(address, str) else address
    return parsed is not None and any(parsed in network for network in _networks(cidrs))


# A proxy a setting may trust sits on a private network next to it: only these ranges, and
# no wider than /16 (IPv4) or /48 (IPv6). Trusting a public or catch-all range would let
# any client write its own address into X-Forwarded-For.
PROXY_RANGES = [
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
        "::1/128", "fc00::/7", "fe80::/10",
    )
]  # fmt: skip
PROXY_NARROWEST_PREFIX = {4: 16, 6: 48}


def proxy_network_allowed(network) -> bool:
    """Whether a setting may trust this network as its proxies (A-6)."""
    return network.prefixlen >= PROXY_NARROWEST_PREFIX[network.version] and any(
        network.version == allowed.version and network.subnet_of(allowed)
        for allowed in PROXY_RANGES
    )


# `setting` of client_ip: the setting the request is working in (request.membership).
CURRENT = object()


def trusted_proxies_for(request, setting=CURRENT) -> list:
    """The installation's proxies (ACORN_TRUSTED_PROXIES) and those one setting lists
    (A-6): by default the setting the staff member is working in. A setting's proxies
    decide addresses only for that setting's rules and records, never another's."""
    cidrs = list(getattr(settings, "ACORN_TRUSTED_PROXIES", []))
    if setting is CURRENT:
        setting = getattr(getattr(request, "membership", None), "setting", None)
    if setting is not None:
        cidrs += [
            network
            for network in _networks(setting.trusted_proxies)
            if proxy_network_allowed(network)
        ]
    return cidrs


def client_ip(request, setting=CURRENT) -> str | None:
    """The address the request came from (A-6), as `setting` sees it (None: through the
    installation's own proxies only).

    The connection's own address, unless it is a trusted proxy: then X-Forwarded-For is
    read from the right, skipping trusted proxies, and the first address that is not one
    is the client. Anything left of it was written by the client and can't be trusted.
    """
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted = _networks(trusted_proxies_for(request, setting))
    if not trusted or not any(remote in network for network in trusted):
        return str(remote)
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed([h for h in hops if h.strip()]):
        address = _address(hop)
        if address is None:
            break  # garbage from a client: stop at the last address we could trust
        client = address
        if not any(address in network for network in trusted):
            break
    return str(client)


def _setting_for_address(request, setting_id):
    """The setting whose proxies may decide the address recorded for an event: the
    event's own setting, if the person works there; otherwise none."""
    if request is None or setting_id is None:
        return None
    membership = getattr(request, "membership", None)
    if membership is not None and membership.setting_id == setting_id:
        return membership.setting
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from acorn.org.selectors import membership_in

    membership = membership_in(user, setting_id)
    return membership.setting if membership is not None else None


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    setting_id=None,
    child_id=None,
    object_type: str = "",
    object_id="",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit line. Call inside the transaction of the change it records."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    # Sign-ins bound to an enrolled device (D-3) show the device on every line they leave.
    device_id = getattr(request, "acorn_device_id", None)
    if device_id is not None:
        detail = {"device": str(device_id), **(detail or {})}
    return _inserted(
        AuditEvent(
            action=action,
            actor_id=getattr(actor, "pk", None),
            setting_id=setting_id,
            child_id=child_id,
            object_type=object_type,
            object_id=str(object_id or ""),
            ip=client_ip(request, _setting_for_address(request, setting_id)),
            detail=detail or {},
        )
    )


def _inserted(event: AuditEvent) -> AuditEvent:
    """The event inserted by an INSERT compiled once per database connection: every
    journal read writes a line, and Django compiled the same INSERT each time (issue 13).
    Each value is prepared by its field as Django's own save prepares it."""
    connection = connections[router.db_for_write(AuditEvent)]
    fields, sql, returns = _INSERTS.get(connection.alias, lambda: _insert_sql(connection, event))
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returns:
            event.pk = cursor.fetchone()[0]
        else:
            event.pk = connection.ops.last_insert_id(cursor, AuditEvent._meta.db_table, "id")
    event._state.adding, event._state.db = False, connection.alias
    return event


def _insert_sql(connection, example: AuditEvent) -> tuple[list, str, bool]:
    fields = [field for field in AuditEvent._meta.local_concrete_fields if not field.primary_key]
    query = InsertQuery(AuditEvent)
    query.insert_values(fields, [example])
    compiler = query.get_compiler(connection=connection)
    returns = connection.features.can_return_columns_from_insert
    compiler.returning_fields = [AuditEvent._meta.pk] if returns else None
    [(sql, _)] = compiler.as_sql()
    return fields, sql, returns


_INSERTS = Kept()


def person_event_record(
    *, action: str, person, actor=None, request=None, object_type="", object_id="", detail=None
) -> list[AuditEvent]:
    """A sign-in (or failed sign-in) recorded for each setting the person belongs to, so
    the leaders of those settings, and only they, see it on their audit trail."""
    from acorn.audit.selectors import settings_of_person

    return [
        audit_record(
            action=action,
            actor=actor,
            request=request,
            setting_id=setting_id,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
        for setting_id in (settings_of_person(person) or [None])
    ]


# Probing: this many refusals of not-found/forbidden by one person within WINDOW,
# in one setting, raise a flag for that setting's session leaders. Other refusals (checks
# incomplete, off-site, outside session times, confirm it's you) are rules the person
# meets in normal work, so they don't count.
PROBING_ACTIONS = ("refused.not_found", "refused.forbidden")
PROBING_THRESHOLD = 5
PROBING_WINDOW = timedelta(minutes=10)
PROBING_NOTICED = "probing.noticed"


def refusal_record(
    *, request, action: str, object_type: str = "", object_id="", detail=None
) -> list[AuditEvent]:
    """A refused request by a signed-in person, recorded once for each setting they belong
    to (their staff memberships and their children's settings), so each setting's leaders
    see their own people's refusals and no one else's. Signed-out requests are not
    recorded one by one (anonymous noise; sign-in failures are recorded by the throttle)."""
    from acorn.audit.selectors import settings_of_person

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    setting_ids = settings_of_person(user) or [None]
    events = [
        audit_record(
            action=action,
            request=request,
            setting_id=setting_id,
            object_type=object_type,
            object_id=str(object_id or "")[:64],
            detail=detail,
        )
        for setting_id in setting_ids
    ]
    if action in PROBING_ACTIONS:
        for setting_id in setting_ids:
            if setting_id is not None:
                _notice_probing(person=user, setting_id=setting_id)
    return events


def _burst_continues(times: list) -> bool:
    """No gap longer than the window between these moments (oldest first)."""
    return all(later - earlier <= PROBING_WINDOW for earlier, later in pairwise(times))


@transaction.atomic
def _notice_probing(*, person, setting_id) -> AuditEvent | None:
    """Flag repeated refusals once per burst: a burst lasts while refusals keep coming
    less than the window apart."""
    from acorn.accounts.models import User

    # One person's refusals are checked one at a time, so a burst is flagged once.
    User.objects.select_for_update().filter(pk=person.pk).first()
    now = timezone.now()
    mine = AuditEvent.objects.filter(actor_id=person.pk, setting_id=setting_id)
    recent = list(
        mine.filter(action__in=PROBING_ACTIONS, at__gte=now - PROBING_WINDOW)
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(recent) < PROBING_THRESHOLD:
        return None
    flagged = mine.filter(action=PROBING_NOTICED).order_by("-at").first()
    if flagged is not None:
        since_flag = list(
            mine.filter(action__in=PROBING_ACTIONS, at__gte=flagged.at)
            .order_by("at")
            .values_list("at", flat=True)
        )
        if _burst_continues([flagged.at, *since_flag, now]):
            return None
    notice = AuditEvent.objects.create(
        action=PROBING_NOTICED,
        actor_id=person.pk,
        setting_id=setting_id,
        object_type="user",
        object_id=str(person.pk),
        detail={"since": recent[0].isoformat(), "count": len(recent)},
    )
    _email_leaders_about_probing(person=person, setting_id=setting_id, count=len(recent))
    return notice


def _email_leaders_about_probing(*, person, setting_id, count: int) -> None:
    """The setting's session leaders hear once per burst: who, how many, and a link to the
    audit trail filtered by that person. No child's data."""
    from acorn.accounts.services import email_send
    from acorn.audit.selectors import role_in_setting
    from acorn.org.models import Setting
    from acorn.suitability.selectors import session_leaders_of

    setting = Setting.objects.get(pk=setting_id)
    role = role_in_setting(person, setting_id)
    for leader in session_leaders_of(setting):
        if leader.pk == person.pk or not leader.is_active:
            continue
        email_send(
            to=leader.email,
            template="probing_noticed",
            context={
                "recipient": leader,
                "person": person,
                "role": role,
                "count": count,
                "minutes": int(PROBING_WINDOW.total_seconds() // 60),
                "setting": setting,
            },
        )

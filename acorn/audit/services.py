import ipaddress

from django.conf import settings

from acorn.audit.models import AuditEvent


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
        cidrs += list(setting.trusted_proxies or [])
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
    return AuditEvent.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        setting_id=setting_id,
        child_id=child_id,
        object_type=object_type,
        object_id=str(object_id or ""),
        ip=client_ip(request, _setting_for_address(request, setting_id)),
        detail=detail or {},
    )

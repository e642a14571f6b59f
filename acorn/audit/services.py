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


def trusted_proxies_for(request) -> list:
    """The installation's proxies (ACORN_TRUSTED_PROXIES) and those the staff member's
    setting lists (A-6); a setting's public or catch-all entries are never trusted."""
    cidrs = list(getattr(settings, "ACORN_TRUSTED_PROXIES", []))
    membership = getattr(request, "membership", None)
    if membership is not None:
        cidrs += [
            network
            for network in _networks(membership.setting.trusted_proxies)
            if proxy_network_allowed(network)
        ]
    return cidrs


def client_ip(request) -> str | None:
    """The address the request came from (A-6).

    The connection's own address, unless it is a trusted proxy: then X-Forwarded-For is
    read from the right, skipping trusted proxies, and the first address that is not one
    is the client. Anything left of it was written by the client and can't be trusted.
    """
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted = _networks(trusted_proxies_for(request))
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
        ip=client_ip(request),
        detail=detail or {},
    )

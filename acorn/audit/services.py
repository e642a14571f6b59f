from acorn.audit.models import AuditEvent


def client_ip(request) -> str | None:
    """The address the request came from. Trusted-proxy handling (A-6) plugs in here."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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

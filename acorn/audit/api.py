from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema

from acorn.audit.selectors import audit_trail, people_of_setting
from acorn.children.models import Child
from acorn.core.api import api_access, page
from acorn.org.api import leader_membership

router = Router(tags=["audit"])


class AuditOut(Schema):
    at: datetime
    actor_id: UUID | None
    action: str
    object_type: str
    object_id: str
    child_id: UUID | None
    ip: str | None
    device_id: str | None = None

    @staticmethod
    def resolve_device_id(event):
        # Sign-ins bound to an enrolled device (D-3) carry it on every line they leave.
        return (event.detail or {}).get("device")


class AuditPage(Schema):
    items: list[AuditOut]
    next: str | None


@router.get("/settings/{setting_id}/audit", response=AuditPage)
@api_access("session_leader")
def audit_list(
    request,
    setting_id: UUID,
    child: UUID | None = None,
    actor: UUID | None = None,
    since: date | None = None,
    until: date | None = None,
):
    leader = leader_membership(request, setting_id)
    if child is not None and not Child.objects.filter(pk=child, setting=leader.setting).exists():
        raise Http404
    if actor is not None and not people_of_setting(leader.setting).filter(pk=actor).exists():
        raise Http404
    events = audit_trail(leader.setting, child_id=child, actor_id=actor, since=since, until=until)
    rows, following = page(events, request, limit=100)
    return {"items": rows, "next": following}

from uuid import UUID

from django.http import Http404
from ninja import Router, Schema, Status

from acorn.core.api import ApiError, api_access, page
from acorn.core.policy import Forbidden
from acorn.org import services
from acorn.org.models import Membership
from acorn.org.selectors import membership_in, staff_of
from acorn.suitability.selectors import clearance_of, clearance_register, require_cleared

router = Router(tags=["setting administration"])


class StaffIn(Schema):
    email: str
    name: str
    role: str


class StaffOut(Schema):
    id: UUID
    name: str
    email: str
    role: str
    cleared: bool
    missing: list[str]


class StaffPage(Schema):
    items: list[StaffOut]
    next: str | None


def leader_membership(request, setting_id, *, cleared=True) -> Membership:
    """The caller's membership if they lead this setting; 404 if they aren't on its staff.
    With `cleared` (anything touching children's data) the suitability gate applies too."""
    membership = membership_in(request.user, setting_id)
    if membership is None:
        raise Http404
    if not membership.is_session_leader:
        raise Forbidden("Only session leaders (the manager and deputy) can do this.")
    if cleared:
        require_cleared(request.user, setting_id)
    return membership


def _staff_out(membership: Membership, clearance) -> dict:
    return {
        "id": membership.user_id,
        "name": membership.user.name,
        "email": membership.user.email,
        "role": membership.role,
        "cleared": clearance.cleared,
        "missing": clearance.missing,
    }


@router.post("/settings/{setting_id}/staff", response={201: StaffOut})
@api_access("session_leader_admin")
def staff_create(request, setting_id: UUID, payload: StaffIn):
    leader = leader_membership(request, setting_id, cleared=False)
    if payload.role not in Membership.Role.values:
        raise ApiError(422, "role must be one of manager, deputy or practitioner.", "invalid")
    if payload.role == Membership.Role.MANAGER and leader.role != Membership.Role.MANAGER:
        raise Forbidden("Only a manager can invite another manager.")
    if "@" not in payload.email or not payload.name.strip():
        raise ApiError(422, "A name and a valid email address are needed.", "invalid")
    invitation, _ = services.staff_invite(
        setting=leader.setting,
        email=payload.email,
        name=payload.name,
        role=payload.role,
        invited_by=request.user,
        request=request,
    )
    membership = Membership.objects.select_related("user").get(
        setting=leader.setting, user=invitation.person
    )
    return Status(201, _staff_out(membership, clearance_of(membership.user, leader.setting)))


@router.get("/settings/{setting_id}/staff", response={200: StaffPage})
@api_access("session_leader_admin")
def staff_list(request, setting_id: UUID):
    leader = leader_membership(request, setting_id, cleared=False)
    rows, following = page(staff_of(leader.setting), request, limit=200)
    register = clearance_register(leader.setting, rows)
    return {"items": [_staff_out(m, c) for m, c in register], "next": following}

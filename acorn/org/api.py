from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from acorn.accounts.models import User
from acorn.core.api import ApiError, api_access, page
from acorn.core.policy import Forbidden
from acorn.org import services
from acorn.org.models import Membership
from acorn.org.rules import require_on_site_in
from acorn.org.selectors import membership_in, staff_of
from acorn.suitability.models import CHECK_NAMES
from acorn.suitability.selectors import clearance_register, require_cleared

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


class SessionTime(Schema):
    weekday: int
    start: str
    end: str


class JudgementLevel(Schema):
    value: str
    label: str
    on_track: bool


class SettingOut(Schema):
    id: UUID
    name: str
    timezone: str
    on_site_networks: list[str]
    trusted_proxies: list[str]
    session_times: list[SessionTime]
    mfa_for_practitioners: bool


class SettingPatch(Schema):
    on_site_networks: list[str] | None = None
    trusted_proxies: list[str] | None = None
    session_times: list[SessionTime] | None = None
    mfa_for_practitioners: bool | None = None
    judgement_scale: list[JudgementLevel] | None = None


class DutyIn(Schema):
    leader_id: UUID


class DutyOut(Schema):
    id: UUID
    leader_id: UUID
    started_at: datetime


def leader_membership(request, setting_id, *, cleared=True) -> Membership:
    """The caller's membership if they lead this setting; 404 if they aren't on its staff.
    With `cleared` (anything touching children's data) the suitability gate applies too."""
    membership = membership_in(request.user, setting_id)
    if membership is None:
        raise Http404
    require_on_site_in(request.user, setting_id)
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
    # Only what the inviter typed: whether the email has an account, and whose, is not
    # theirs to learn before the person accepts (issue 8).
    return Status(
        201,
        {
            "id": invitation.person_id,
            "name": invitation.name,
            "email": invitation.email,
            "role": invitation.role,
            "cleared": False,
            "missing": list(CHECK_NAMES),
        },
    )


@router.get("/settings/{setting_id}/staff", response={200: StaffPage})
@api_access("session_leader_admin")
def staff_list(request, setting_id: UUID):
    leader = leader_membership(request, setting_id, cleared=False)
    rows, following = page(staff_of(leader.setting), request, limit=200)
    register = clearance_register(leader.setting, rows)
    return {"items": [_staff_out(m, c) for m, c in register], "next": following}


@router.get("/settings/{setting_id}", response=SettingOut)
@api_access("session_leader_admin")
def setting_detail(request, setting_id: UUID):
    return leader_membership(request, setting_id, cleared=False).setting


@router.patch("/settings/{setting_id}", response=SettingOut)
@api_access("session_leader_admin")
def setting_update(request, setting_id: UUID, payload: SettingPatch):
    leader = leader_membership(request, setting_id, cleared=False)
    data = payload.dict(exclude_unset=True)
    try:
        if data.get("judgement_scale") is not None:
            from acorn.eyfs.services import judgement_scale_set

            judgement_scale_set(
                setting=leader.setting,
                levels=data.pop("judgement_scale"),
                changed_by=request.user,
                request=request,
            )
            if not data:
                return leader.setting
        return services.setting_rules_update(
            setting=leader.setting, changed_by=request.user, request=request, **data
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None


def _leader_of(setting, leader_id) -> User:
    leader = User.objects.filter(
        pk=leader_id,
        memberships__setting=setting,
        memberships__is_active=True,
        memberships__role__in=Membership.SESSION_LEADER_ROLES,
    ).first()
    if leader is None:
        raise ApiError(422, "leader_id must be a manager or deputy of this setting.", "invalid")
    return leader


@router.post("/settings/{setting_id}/duty", response={201: DutyOut})
@api_access("session_leader")
def duty_start(request, setting_id: UUID, payload: DutyIn):
    membership = leader_membership(request, setting_id)
    leader = _leader_of(membership.setting, payload.leader_id)
    require_cleared(leader, setting_id)
    period = services.duty_start(
        setting=membership.setting, leader=leader, started_by=request.user, request=request
    )
    return Status(201, {"id": period.pk, "leader_id": leader.pk, "started_at": period.started_at})


@router.delete("/settings/{setting_id}/duty", response={204: None})
@api_access("session_leader")
def duty_end(request, setting_id: UUID, leader_id: UUID | None = None):
    """Ends the duty of `leader_id` (by default the caller's own)."""
    membership = leader_membership(request, setting_id)
    leader = _leader_of(membership.setting, leader_id or request.user.pk)
    services.duty_end(
        setting=membership.setting, leader=leader, ended_by=request.user, request=request
    )
    return Status(204, None)

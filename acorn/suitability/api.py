"""The suitability register in the API (A-5): checks, clearance and declarations."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from acorn.accounts.models import User
from acorn.accounts.reauth import require_recent_authentication
from acorn.core.api import ApiError, api_access
from acorn.core.policy import Forbidden
from acorn.org.models import Membership
from acorn.org.rules import require_on_site_in
from acorn.org.selectors import memberships_of, off_site_refusals
from acorn.suitability import services
from acorn.suitability.selectors import clearance_of

router = Router(tags=["suitability"])


class CheckIn(Schema):
    kind: Literal["dbs_enhanced", "update_service", "status_check"]
    setting_id: UUID | None = None
    certificate_number: str | None = None
    issued_on: date | None = None
    barred_list: bool | None = None
    original_seen: bool | None = None
    subscription_id: str | None = None
    renews_on: date | None = None
    checked_on: date | None = None
    result: Literal["no_new_information", "new_information", "not_current"] | None = None


class CheckOut(Schema):
    id: UUID
    kind: str
    person_id: UUID
    setting_id: UUID
    cleared: bool
    missing: list[str]


class ClearanceOut(Schema):
    person_id: UUID
    setting_id: UUID
    cleared: bool
    missing: list[str]
    expiring: list[str]


class DeclarationIn(Schema):
    kind: Literal["self_declaration", "online_safety"]
    signature_name: str
    setting_id: UUID | None = None


class DeclarationOut(Schema):
    id: UUID
    kind: str
    version: str
    signed_at: datetime


REQUIRED = {
    "dbs_enhanced": ("certificate_number", "issued_on", "barred_list", "original_seen"),
    "update_service": ("subscription_id", "renews_on"),
    "status_check": ("checked_on", "result"),
}


def _shared_membership(request, person_id, setting_id=None, *, leader: bool) -> Membership:
    """The caller's membership in a setting where `person_id` is staff. 404 when the caller
    shares no setting with them; 403 when they do but don't lead it."""
    mine = memberships_of(request.user)
    candidates = Membership.objects.filter(
        user_id=person_id, is_active=True, setting_id__in=list(mine)
    ).values_list("setting_id", flat=True)
    if setting_id is not None:
        candidates = candidates.filter(setting_id=setting_id)
    shared = [mine[sid] for sid in candidates]
    if not shared:
        raise Http404
    leading = [m for m in shared if m.is_session_leader]
    if leader and not leading:
        raise Forbidden("Only session leaders (the manager and deputy) can do this.")
    # A setting whose off-site rule refuses this request is not acted on.
    pool = leading or shared
    off_site = off_site_refusals(request.user)
    allowed = [m for m in pool if m.setting_id not in off_site]
    chosen = sorted(allowed or pool, key=lambda m: m.setting.name)[0]
    require_on_site_in(request.user, chosen.setting_id)
    return chosen


@router.post("/staff/{person_id}/checks", response={201: CheckOut})
@api_access("session_leader_admin")
def check_record(request, person_id: UUID, payload: CheckIn):
    membership = _shared_membership(request, person_id, payload.setting_id, leader=True)
    absent = [name for name in REQUIRED[payload.kind] if getattr(payload, name) is None]
    if absent:
        raise ApiError(422, f"A {payload.kind} check needs: {', '.join(absent)}.", "invalid")
    require_recent_authentication(request)
    person = User.objects.get(pk=person_id)
    fields = {name: getattr(payload, name) for name in REQUIRED[payload.kind]}
    record_with = {
        "dbs_enhanced": services.dbs_check_record,
        "update_service": services.update_service_record,
        "status_check": services.status_check_record,
    }[payload.kind]
    try:
        record = record_with(
            setting=membership.setting,
            person=person,
            recorded_by=request.user,
            request=request,
            **fields,
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    clearance = clearance_of(person, membership.setting)
    return Status(
        201,
        {
            "id": record.pk,
            "kind": payload.kind,
            "person_id": person.pk,
            "setting_id": membership.setting_id,
            "cleared": clearance.cleared,
            "missing": clearance.missing,
        },
    )


@router.get("/staff/{person_id}/clearance", response=ClearanceOut)
@api_access("signed_in")
def clearance(request, person_id: UUID, setting_id: UUID | None = None):
    """The person themself, or a session leader of a setting where they work."""
    if person_id == request.user.pk:
        mine = memberships_of(request.user)
        if setting_id is not None:
            membership = mine.get(setting_id)
        else:
            membership = sorted(mine.values(), key=lambda m: m.setting.name)[0] if mine else None
        if membership is None:
            raise Http404
        person = request.user
    else:
        membership = _shared_membership(request, person_id, setting_id, leader=True)
        person = User.objects.get(pk=person_id)
    result = clearance_of(person, membership.setting)
    return {
        "person_id": person.pk,
        "setting_id": membership.setting_id,
        "cleared": result.cleared,
        "missing": result.missing,
        "expiring": result.expiring,
    }


@router.post("/me/declarations", response={201: DeclarationOut})
@api_access("signed_in")
def declaration_sign(request, payload: DeclarationIn):
    mine = memberships_of(request.user)
    if not mine:
        raise Forbidden("Declarations are signed by staff members.")
    if payload.setting_id is not None:
        membership = mine.get(payload.setting_id)
        if membership is None:
            raise Http404
    else:
        membership = request.membership
    try:
        record = services.declaration_sign(
            setting=membership.setting,
            person=request.user,
            kind=payload.kind,
            signature_name=payload.signature_name,
            request=request,
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    return Status(
        201,
        {
            "id": record.pk,
            "kind": record.kind,
            "version": record.version,
            "signed_at": record.recorded_at,
        },
    )

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from acorn.accounts.models import User
from acorn.audit.services import audit_record
from acorn.children import consent, selectors, services
from acorn.core.api import ApiError, api_access, page
from acorn.core.policy import Forbidden
from acorn.org.api import leader_membership
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import cleared_setting_ids

router = Router(tags=["children and parents"])


class ChildMonitoringFields(Schema):
    """What monitoring needs (R-4): staff only, never in a parent's answer."""

    sex: Literal["female", "male", ""] | None = None
    send_stage: Literal["none", "sen_support", "ehc_plan"] | None = None
    eal: bool | None = None
    home_language: str | None = None
    funded_entitlement: Literal["none", "15h", "30h"] | None = None
    two_year_funding: bool | None = None
    eypp: bool | None = None
    room: str | None = None


class ChildIn(ChildMonitoringFields):
    first_name: str
    last_name: str
    date_of_birth: date
    start_date: date
    key_person_id: UUID
    backup_key_person_id: UUID | None = None


class ChildPatch(ChildMonitoringFields):
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    start_date: date | None = None
    key_person_id: UUID | None = None
    backup_key_person_id: UUID | None = None


class ChildOut(Schema):
    id: UUID
    setting_id: UUID
    first_name: str
    last_name: str
    date_of_birth: date
    start_date: date
    key_person_id: UUID
    key_person_name: str
    backup_key_person_id: UUID | None
    status: str
    # Staff only: absent from a parent's answer.
    sex: str | None = None
    send_stage: str | None = None
    eal: bool | None = None
    home_language: str | None = None
    funded_entitlement: str | None = None
    two_year_funding: bool | None = None
    eypp: bool | None = None
    room: str | None = None


class ChildPage(Schema):
    items: list[ChildOut]
    next: str | None


class ParentIn(Schema):
    email: str
    name: str


class ParentInvitedOut(Schema):
    id: UUID
    email: str
    name: str
    child_id: UUID


def _child_out(child, *, staff: bool = False) -> dict:
    out = {
        "id": child.pk,
        "setting_id": child.setting_id,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth,
        "start_date": child.start_date,
        "key_person_id": child.key_person_id,
        "key_person_name": child.key_person.name,
        "backup_key_person_id": child.backup_key_person_id,
        "status": child.status,
    }
    if staff:
        out.update({name: getattr(child, name) for name in services.MONITORING_FIELDS})
        out["sex"] = child.sex or None
    return out


def _staff_for(request, child) -> bool:
    return child.setting_id in cleared_setting_ids(request.user)


def _person(person_id, label):
    if person_id is None:
        return None
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise ApiError(422, services.not_staff_message(label), "invalid")
    return person


REQUIRED_FIELDS = ("first_name", "last_name", "date_of_birth", "start_date")


def _fields(payload, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    emptied = [name for name in REQUIRED_FIELDS if name in data and data[name] is None]
    if emptied:
        raise ApiError(422, f"Every child needs these: {', '.join(emptied)}.", "invalid")
    fields = {k: v for k, v in data.items() if not k.endswith("_id")}
    for name in services.MONITORING_FIELDS:
        if fields.get(name) is None:
            fields.pop(name, None)
    if "key_person_id" in data:
        if data["key_person_id"] is None:
            raise ApiError(422, "Every child needs a key person.", "invalid")
        fields["key_person"] = _person(data["key_person_id"], "key_person")
    if "backup_key_person_id" in data:
        fields["backup_key_person"] = _person(data["backup_key_person_id"], "backup_key_person")
    return fields


@router.post("/settings/{setting_id}/children", response={201: ChildOut}, exclude_unset=True)
@api_access("session_leader")
def child_create(request, setting_id: UUID, payload: ChildIn):
    leader = leader_membership(request, setting_id)
    try:
        child = services.child_create(
            setting=leader.setting,
            created_by=request.user,
            request=request,
            **_fields(payload, partial=False),
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    return Status(201, _child_out(child, staff=True))


@router.get("/children", response=ChildPage, exclude_unset=True)
@api_access("signed_in")
def child_list(request):
    selectors.require_some_clearance(request.user)
    children = (
        selectors.children_visible_to(request.user)
        .select_related("key_person")
        .order_by("first_name", "last_name", "id")
    )
    rows, following = page(children, request)
    return {
        "items": [_child_out(c, staff=_staff_for(request, c)) for c in rows],
        "next": following,
    }


@router.get("/children/{child_id}", response=ChildOut, exclude_unset=True)
@api_access("signed_in")
def child_detail(request, child_id: str):
    child = selectors.child_for(request.user, child_id)
    audit_record(
        action="child.read",
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
    )
    return _child_out(child, staff=_staff_for(request, child))


@router.patch("/children/{child_id}", response=ChildOut, exclude_unset=True)
@api_access("session_leader")
def child_update(request, child_id: str, payload: ChildPatch):
    child = selectors.child_for(request.user, child_id)
    membership = membership_in(request.user, child.setting_id)
    if membership is None or not membership.is_session_leader:
        raise Forbidden(
            "Only session leaders (the manager and deputy) can change a child's details."
        )
    try:
        child = services.child_update(
            child=child, updated_by=request.user, request=request, **_fields(payload, partial=True)
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    return _child_out(child, staff=True)


@router.post("/children/{child_id}/parents", response={201: ParentInvitedOut})
@api_access("staff")
def parent_invite(request, child_id: str, payload: ParentIn):
    child = selectors.child_for(request.user, child_id)
    if not services.may_manage_parents(request.user, child):
        raise Forbidden("Only session leaders and the child's key person can invite parents.")
    if "@" not in payload.email or not payload.name.strip():
        raise ApiError(422, "A name and a valid email address are needed.", "invalid")
    invitation, _ = services.parent_invite(
        child=child,
        email=payload.email,
        name=payload.name,
        invited_by=request.user,
        request=request,
    )
    # What the inviter typed, never an existing account's name or id (issue 8).
    return Status(
        201,
        {
            "id": invitation.person_id,
            "email": invitation.email,
            "name": invitation.name,
            "child_id": child.pk,
        },
    )


class AgreementIn(Schema):
    signature_name: str


class AgreementOut(Schema):
    version: int
    signed_at: datetime
    settings: list[UUID]


class ConsentIn(Schema):
    images_in_other_journals: bool
    signature_name: str


class ConsentOut(Schema):
    images_in_other_journals: bool | None
    signed_by: str | None
    signed_at: datetime | None


@router.post("/me/agreement", response={201: AgreementOut})
@api_access("parent")
def agreement_sign(request, payload: AgreementIn):
    """The parent signs the no-sharing agreement in its current version (P-1b)."""
    try:
        records = consent.agreement_sign(
            parent=request.user, signature_name=payload.signature_name, request=request
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    return Status(
        201,
        {
            "version": max(r.wording.version for r in records),
            "signed_at": records[0].signed_at,
            "settings": [r.wording.setting_id for r in records],
        },
    )


@router.put("/children/{child_id}/consent", response=ConsentOut)
@api_access("parent")
def consent_put(request, child_id: str, payload: ConsentIn):
    """That child's parent gives, refuses or withdraws image consent (P-1a, P-7)."""
    child = selectors.child_for(request.user, child_id)
    if child.pk not in selectors.linked_child_ids(request.user):
        raise Forbidden("Only the child's parents can answer the consent question.")
    try:
        record = consent.consent_record(
            parent=request.user,
            child=child,
            given=payload.images_in_other_journals,
            signature_name=payload.signature_name,
            request=request,
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    return _consent_out(record)


@router.get("/children/{child_id}/consent", response=ConsentOut)
@api_access("signed_in")
def consent_get(request, child_id: str):
    """A parent sees their own answer; staff see the child's consent, which is yes only
    when every linked parent said yes."""
    child = selectors.child_for(request.user, child_id)
    answers = consent.latest_answers(child)
    if child.pk in selectors.linked_child_ids(request.user) and not selectors.is_staff_for(
        request.user, child
    ):
        return _consent_out(answers.get(request.user.pk))
    recorded = [a for a in answers.values() if a is not None]
    if not recorded:
        return _consent_out(None)
    latest = max(recorded, key=lambda a: a.signed_at)
    effective = (
        child.image_consent
        if len(recorded) == len(answers)
        else (False if any(not a.images_in_other_journals for a in recorded) else None)
    )
    return {
        "images_in_other_journals": effective,
        "signed_by": latest.signature_name,
        "signed_at": latest.signed_at,
    }


def _consent_out(record) -> dict:
    if record is None:
        return {"images_in_other_journals": None, "signed_by": None, "signed_at": None}
    return {
        "images_in_other_journals": record.images_in_other_journals,
        "signed_by": record.signature_name,
        "signed_at": record.signed_at,
    }

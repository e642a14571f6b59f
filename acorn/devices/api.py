"""Devices (D-1 to D-3), as fixed in API.md."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from ninja import Router, Schema, Status

from acorn.accounts import services as account_services
from acorn.core.api import ApiError, api_access
from acorn.core.policy import Forbidden
from acorn.devices import selectors, services
from acorn.devices.rules import DeviceUnavailable
from acorn.org.api import leader_membership
from acorn.org.rules import require_on_site_in
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import require_cleared

router = Router(tags=["devices"])


class DeviceIn(Schema):
    name: str
    kind: Literal["tablet", "camera"]
    serial: str | None = None
    asset_tag: str | None = None
    notes: str | None = None


class DeviceCreatedOut(Schema):
    id: UUID
    state: str


class DeviceOut(Schema):
    id: UUID
    name: str
    kind: str
    state: str
    signed_out_to: UUID | None
    serial: str
    asset_tag: str


class DevicePage(Schema):
    items: list[DeviceOut]
    next: str | None


class DeviceTokenOut(Schema):
    device_token: str


class SignOutIn(Schema):
    person_id: UUID
    reason: str
    expected_back: datetime
    signature_name: str


class SignOutOut(Schema):
    id: UUID
    status: str


class StatusOut(Schema):
    status: str


class SignatureIn(Schema):
    signature_name: str


class MissingIn(Schema):
    note: str = ""


class MissingOut(Schema):
    id: UUID
    state: str
    reported_missing_at: datetime
    reported_missing_by: UUID


def _conflict(error: DeviceUnavailable):
    return ApiError(409, str(error), "conflict")


def _invalid(error: ValidationError):
    return ApiError(422, " ".join(error.messages), "invalid")


def _leader_of_device(request, device_id):
    device = selectors.device_for(request.user, device_id)
    leader_membership(request, device.setting_id, cleared=False)
    return device


@router.post("/settings/{setting_id}/devices", response={201: DeviceCreatedOut})
@api_access("session_leader_admin")
def device_create(request, setting_id: UUID, payload: DeviceIn):
    leader = leader_membership(request, setting_id, cleared=False)
    try:
        device = services.device_register(
            setting=leader.setting,
            registered_by=request.user,
            request=request,
            **payload.dict(exclude_none=True),
        )
    except ValidationError as error:
        raise _invalid(error) from None
    return Status(201, device)


@router.get("/settings/{setting_id}/devices", response=DevicePage)
@api_access("staff")
def device_list(request, setting_id: UUID):
    """The register, for the setting's staff: everyone may see which devices exist and
    who has one out (the sheet is on the office wall too)."""
    membership = membership_in(request.user, setting_id)
    if membership is None:
        raise Http404
    # Off site for this setting is off site for its register, whatever elsewhere says.
    require_on_site_in(request.user, setting_id)
    items = []
    for device in selectors.devices_of(membership.setting):
        person = selectors.signed_out_to(device)
        items.append(
            {
                "id": device.pk,
                "name": device.name,
                "kind": device.kind,
                "state": device.state,
                "signed_out_to": person.pk if person else None,
                "serial": device.serial,
                "asset_tag": device.asset_tag,
            }
        )
    return {"items": items, "next": None}


@router.post("/devices/{device_id}/enrol", response={201: DeviceTokenOut})
@api_access("session_leader_admin")
def device_enrol(request, device_id: UUID):
    device = _leader_of_device(request, device_id)
    try:
        _credential, raw = services.device_enrol(
            device=device, enrolled_by=request.user, request=request
        )
    except DeviceUnavailable as error:
        raise _conflict(error) from None
    return Status(201, {"device_token": raw})


@router.post("/devices/{device_id}/signouts", response={201: SignOutOut})
@api_access("staff")
def signout_create(request, device_id: UUID, payload: SignOutIn):
    device = selectors.device_for(request.user, device_id)
    # A device taken out carries children's information: the suitability gate.
    require_cleared(request.user, device.setting_id)
    if payload.person_id != request.user.pk:
        raise Forbidden(
            "The person taking the device asks for it and signs themselves.",
            next_step="Please ask them to sign the sheet in Acorn.",
        )
    try:
        signout = services.signout_request(
            device=device,
            person=request.user,
            reason=payload.reason,
            expected_back=payload.expected_back,
            signature_name=payload.signature_name,
            request=request,
        )
    except DeviceUnavailable as error:
        raise _conflict(error) from None
    except ValidationError as error:
        raise _invalid(error) from None
    return Status(201, {"id": signout.pk, "status": signout.status})


@router.post("/signouts/{signout_id}/authorise", response=StatusOut)
@api_access("session_leader_admin")
def signout_authorise(request, signout_id: UUID, payload: SignatureIn):
    signout = selectors.signout_for(request.user, signout_id)
    leader_membership(request, signout.setting_id, cleared=False)
    try:
        signout = services.signout_authorise(
            signout=signout,
            leader=request.user,
            signature_name=payload.signature_name,
            request=request,
        )
    except DeviceUnavailable as error:
        raise _conflict(error) from None
    except ValidationError as error:
        raise _invalid(error) from None
    return {"status": signout.status}


@router.post("/signouts/{signout_id}/return", response=StatusOut)
@api_access("staff")
def signout_return(request, signout_id: UUID):
    signout = selectors.signout_for(request.user, signout_id)
    if signout.person_id != request.user.pk:
        leader_membership(request, signout.setting_id, cleared=False)
    try:
        signout = services.signout_return(
            signout=signout, recorded_by=request.user, request=request
        )
    except DeviceUnavailable as error:
        raise _conflict(error) from None
    return {"status": signout.status}


@router.post("/devices/{device_id}/missing", response=MissingOut)
@api_access("session_leader_admin")
def device_missing(request, device_id: UUID, payload: MissingIn):
    device = _leader_of_device(request, device_id)
    device = services.device_report_missing(
        device=device, reported_by=request.user, note=payload.note, request=request
    )
    return {
        "id": device.pk,
        "state": device.state,
        "reported_missing_at": device.reported_missing_at,
        "reported_missing_by": device.reported_missing_by_id,
    }


def token_issue_on_device(*, user, device_token: str | None, request):
    """POST /auth/token: with a `device_token`, the token belongs to that device (D-3)."""
    if not device_token:
        return account_services.token_issue(user=user, request=request)
    credential = selectors.live_credential(device_token)
    if credential is None:
        raise ApiError(
            401,
            "That device isn't enrolled any more (it may have been reported missing). "
            "Please ask a session leader to enrol it again.",
            "unauthenticated",
        )
    with transaction.atomic():
        request.acorn_device_id = credential.device_id
        token, raw = account_services.token_issue(user=user, request=request)
        services.device_token_bind(api_token=token, credential=credential)
    return token, raw

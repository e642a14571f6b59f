"""Leaving, transfer, export and deletion (API.md, L-1 to L-5)."""

from datetime import date, datetime
from uuid import UUID

from ninja import Router, Schema, Status

from acorn.children.selectors import child_for
from acorn.core.api import api_access
from acorn.core.policy import Forbidden
from acorn.leaving import selectors, services
from acorn.org.api import leader_membership
from acorn.org.selectors import memberships_of

router = Router(tags=["leaving, transfer, export and deletion"])


class SettingOut(Schema):
    id: UUID
    name: str


class LeavingIn(Schema):
    leaving_on: date
    destination_setting_id: UUID | None = None
    destination_name: str | None = None


class LeavingOut(Schema):
    child_id: UUID
    leaving_on: date
    destination_setting_id: UUID | None
    destination_name: str
    status: str
    grace_ends_on: date


class DeletionOut(Schema):
    id: UUID
    deleted_at: datetime
    counts: dict[str, int]


class DeletionPage(Schema):
    items: list[DeletionOut]
    next: str | None


@router.get("/directory/settings", response=list[SettingOut])
@api_access("staff")
def directory(request, q: str = ""):
    if not memberships_of(request.user):
        raise Forbidden("The directory of settings is for staff.")
    return [{"id": s.pk, "name": s.name} for s in selectors.directory(q)]


@router.post("/children/{child_id}/leaving", response=LeavingOut)
@api_access("session_leader")
def leaving_record(request, child_id: str, payload: LeavingIn):
    child = child_for(request.user, child_id)
    leaving = services.leaving_record(
        child=child,
        recorded_by=request.user,
        leaving_on=payload.leaving_on,
        destination_setting_id=payload.destination_setting_id,
        destination_name=payload.destination_name or "",
        request=request,
    )
    return {
        "child_id": child.pk,
        "leaving_on": leaving.leaving_on,
        "destination_setting_id": leaving.destination_setting_id,
        "destination_name": leaving.destination_name,
        "status": child.status,
        "grace_ends_on": leaving.grace_ends_on,
    }


class KeepsakeOut(Schema):
    id: UUID
    status: str
    size: int


def _keepsake_out(export):
    return {"id": export.pk, "status": export.status, "size": export.size}


@router.post("/children/{child_id}/exports", response={201: KeepsakeOut})
@api_access("signed_in")
def keepsake_request(request, child_id: str):
    child = child_for(request.user, child_id)
    export = services.keepsake_request(child=child, requested_by=request.user, request=request)
    export.refresh_from_db()
    return Status(201, _keepsake_out(export))


@router.get("/exports/{export_id}", response=KeepsakeOut)
@api_access("signed_in")
def keepsake_status(request, export_id: str):
    return _keepsake_out(selectors.keepsake_for(request.user, export_id))


@router.get("/exports/{export_id}/content")
@api_access("signed_in")
def keepsake_content(request, export_id: str):
    from acorn.leaving.views import keepsake_file_response

    return keepsake_file_response(request, selectors.keepsake_for(request.user, export_id))


@router.get("/settings/{setting_id}/deletions", response=DeletionPage)
@api_access("session_leader")
def deletions(request, setting_id: UUID):
    from acorn.core.api import page

    leader_membership(request, setting_id, cleared=False)
    items, following = page(selectors.deletions_of(setting_id), request)
    return {
        "items": [{"id": d.pk, "deleted_at": d.deleted_at, "counts": d.counts} for d in items],
        "next": following,
    }


# --- Transfers (L-2) ----------------------------------------------------------------------


class TransferChildOut(Schema):
    first_name: str
    last_name: str
    date_of_birth: date


class TransferOut(Schema):
    id: UUID
    child: TransferChildOut
    from_setting: SettingOut
    leaving_on: date
    status: str


class TransferPage(Schema):
    items: list[TransferOut]
    next: str | None


class TransferAcceptIn(Schema):
    key_person_id: UUID


class TransferDeclineIn(Schema):
    reason: str


def _transfer_out(transfer):
    child = transfer.child
    return {
        "id": transfer.pk,
        "child": {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth,
        },
        "from_setting": {"id": transfer.from_setting_id, "name": transfer.from_setting.name},
        "leaving_on": transfer.leaving_on,
        "status": transfer.status,
    }


@router.get("/settings/{setting_id}/transfers", response=TransferPage)
@api_access("session_leader")
def transfers_incoming(request, setting_id: UUID):
    """Children offered to this setting by another setting on Acorn, while the offer is
    open (the receiving setting's session leaders)."""
    from acorn.core.api import page

    membership = leader_membership(request, setting_id)
    items, following = page(selectors.transfers_incoming(membership.setting), request)
    return {"items": [_transfer_out(t) for t in items], "next": following}


def _transfer_answer(request, transfer_id, answer):
    from acorn.core.api import ApiError

    transfer = selectors.transfer_for(request.user, transfer_id)
    leader_membership(request, transfer.to_setting_id)
    try:
        transfer = answer(transfer)
    except services.TransferClosed as closed:
        raise ApiError(409, str(closed), "conflict") from None
    transfer.refresh_from_db()
    return _transfer_out(transfer)


@router.post("/transfers/{transfer_id}/accept", response=TransferOut)
@api_access("session_leader")
def transfer_accept(request, transfer_id: str, payload: TransferAcceptIn):
    return _transfer_answer(
        request,
        transfer_id,
        lambda transfer: services.transfer_accept(
            transfer=transfer,
            accepted_by=request.user,
            key_person_id=payload.key_person_id,
            request=request,
        ),
    )


@router.post("/transfers/{transfer_id}/decline", response=TransferOut)
@api_access("session_leader")
def transfer_decline(request, transfer_id: str, payload: TransferDeclineIn):
    return _transfer_answer(
        request,
        transfer_id,
        lambda transfer: services.transfer_decline(
            transfer=transfer, declined_by=request.user, reason=payload.reason, request=request
        ),
    )

from datetime import datetime
from uuid import UUID

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from acorn.accounts import services
from acorn.children.selectors import linked_child_ids
from acorn.core.api import ApiError, api_access
from acorn.org.selectors import memberships_of

router = Router(tags=["auth and me"])


class TokenIn(Schema):
    email: str
    password: str
    otp: str | None = None


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MembershipOut(Schema):
    setting_id: UUID
    role: str


class MeOut(Schema):
    id: UUID
    email: str
    name: str
    memberships: list[MembershipOut]
    children: list[UUID]


class InvitationAcceptIn(Schema):
    name: str
    password: str


class PersonOut(Schema):
    id: UUID
    email: str
    name: str


@router.post("/auth/token", auth=None, response={200: TokenOut})
@api_access("public")
def token_create(request, payload: TokenIn):
    email = payload.email.strip().lower()
    user = authenticate(request, email=email, password=payload.password)
    if user is None:
        services.login_failure_record(email=email, request=request)
        raise ApiError(
            401, "That email and password don't match an Acorn account.", "unauthenticated"
        )
    token, raw = services.token_issue(user=user, request=request)
    return {"token": raw, "expires_at": token.expires_at}


@router.delete("/auth/token", response={204: None})
@api_access("signed_in")
def token_delete(request):
    services.token_revoke(token=request.api_token, request=request)
    return Status(204, None)


@router.get("/me", response=MeOut)
@api_access("signed_in")
def me(request):
    user = request.user
    memberships = [
        {"setting_id": m.setting_id, "role": m.role} for m in memberships_of(user).values()
    ]
    children = sorted(linked_child_ids(user), key=str)
    if children:
        from acorn.children.models import Child

        for setting_id in (
            Child.objects.filter(pk__in=children).values_list("setting_id", flat=True).distinct()
        ):
            memberships.append({"setting_id": setting_id, "role": "parent"})
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "memberships": memberships,
        "children": children,
    }


@router.post("/invitations/{token}/accept", auth=None, response={201: PersonOut})
@api_access("public")
def invitation_accept(request, token: str, payload: InvitationAcceptIn):
    invitation = services.invitation_find_open(token)
    if invitation is None:
        raise ApiError(
            404,
            "This invitation has already been used, has expired or does not exist.",
            "not_found",
        )
    try:
        user = services.invitation_accept(
            invitation=invitation, name=payload.name, password=payload.password, request=request
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    except services.InvitationError as error:
        raise ApiError(409, str(error), "conflict") from None
    return Status(201, user)

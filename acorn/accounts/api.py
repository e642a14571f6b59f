from datetime import datetime
from uuid import UUID

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from acorn.accounts import mfa, services, throttle
from acorn.accounts.models import User
from acorn.accounts.reauth import require_recent_authentication
from acorn.children.selectors import linked_child_ids
from acorn.core.api import ApiError, api_access
from acorn.core.policy import Forbidden
from acorn.devices.api import token_issue_on_device
from acorn.org.models import Membership
from acorn.org.rules import require_on_site_in
from acorn.org.selectors import memberships_of, off_site_refusals

router = Router(tags=["auth and me"])


class TokenIn(Schema):
    email: str
    password: str
    otp: str | None = None
    device_token: str | None = None


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


class TotpOut(Schema):
    secret: str
    otpauth_uri: str


class CodeIn(Schema):
    code: str


class RecoveryCodesOut(Schema):
    recovery_codes: list[str]


@router.post("/auth/token", auth=None, response={200: TokenOut})
@api_access("public")
def token_create(request, payload: TokenIn):
    email = payload.email.strip().lower()
    attempt = throttle.attempt_begin(email=email, request=request)
    user = authenticate(request, email=email, password=payload.password)
    if user is None:
        attempt.failed()
        raise ApiError(
            401, "That email and password don't match an Acorn account.", "unauthenticated"
        )
    if mfa.mfa_enrolled(user):
        if not payload.otp:
            attempt.passed()
            raise ApiError(
                401,
                "This account uses two-step sign-in: send otp, a code from the "
                "authenticator app or a recovery code.",
                "mfa_required",
            )
        if not mfa.second_factor_verify(user=user, code=payload.otp, request=request):
            attempt.failed(reason="code")
            raise ApiError(
                401, "That code isn't right, or it has been used already.", "mfa_required"
            )
    attempt.passed()
    throttle.failures_clear(email=email)
    token, raw = token_issue_on_device(
        user=user, device_token=payload.device_token, request=request
    )
    return {"token": raw, "expires_at": token.expires_at}


@router.post("/me/mfa/totp", response=TotpOut)
@api_access("signed_in")
def totp_begin(request):
    try:
        device = mfa.totp_begin(user=request.user, request=request)
    except ValueError:
        raise ApiError(
            409,
            "Two-step sign-in is already set up. If you lost your phone, ask your manager "
            "to reset it.",
            "conflict",
        ) from None
    return {"secret": device.secret, "otpauth_uri": mfa.otpauth_uri(request.user, device.secret)}


@router.post("/me/mfa/totp/confirm", response=RecoveryCodesOut)
@api_access("signed_in")
def totp_confirm(request, payload: CodeIn):
    codes = mfa.totp_confirm(user=request.user, code=payload.code, request=request)
    if codes is None:
        raise ApiError(
            422,
            "That code isn't right, or there is no setup waiting (POST /me/mfa/totp first).",
            "invalid",
        )
    return {"recovery_codes": codes}


@router.post("/staff/{person_id}/mfa/reset", response={204: None})
@api_access("session_leader_admin")
def mfa_reset(request, person_id: UUID):
    """Lost phone: a manager resets a staff member's two-step sign-in (not their own)."""
    membership = _manager_for(request, person_id)
    require_recent_authentication(request)
    person = User.objects.get(pk=person_id)
    mfa.mfa_reset(person=person, reset_by=request.user, setting=membership.setting, request=request)
    return Status(204, None)


def _manager_for(request, person_id):
    mine = memberships_of(request.user)
    shared = Membership.objects.filter(
        user_id=person_id, is_active=True, setting_id__in=list(mine)
    ).values_list("setting_id", flat=True)
    memberships = [mine[sid] for sid in shared]
    if not memberships:
        raise Http404
    managing = [m for m in memberships if m.role == Membership.Role.MANAGER]
    if not managing:
        raise Forbidden("Only a manager can reset someone's two-step sign-in.")
    if person_id == request.user.pk:
        raise Forbidden(
            "You can't reset your own two-step sign-in. Use a recovery code, or ask another "
            "manager."
        )
    # Acting from where a setting's off-site rule refuses this request: not there.
    off_site = off_site_refusals(request.user)
    allowed = [m for m in managing if m.setting_id not in off_site]
    if not allowed:
        require_on_site_in(request.user, managing[0].setting_id)
    return allowed[0]


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

"""Every write about people: invitations, accounts, sessions and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from acorn.accounts.models import ApiToken, Invitation, User, hash_token, new_token
from acorn.accounts.tasks import send_email
from acorn.audit.services import audit_record, person_event_record
from acorn.children.models import ParentLink
from acorn.core.kept import Text, statement


class InvitationError(Exception):
    """The invitation can't be accepted as asked (wrong password for an existing account)."""


def email_send(*, to: str, template: str, context: dict) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` and queue the email after
    the surrounding transaction commits, so a rolled-back change sends nothing."""
    context = {**context, "base_url": settings.ACORN_BASE_URL}
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"emails/{template}_body.txt", context)
    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body))


@transaction.atomic
def invitation_create(
    *, setting, email: str, name: str, role: str, invited_by=None, child=None, request=None
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the raw token (for the link)."""
    email = User.objects.normalize_email(email).strip().lower()
    now = timezone.now()
    # A new invitation replaces any open one for the same person and purpose.
    Invitation.objects.filter(
        setting=setting, email=email, role=role, child=child, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    # Nobody becomes staff, and no account is created or looked up, until the invited
    # person accepts (issue 8): the invitation is only a promise of a role.
    raw = new_token()
    invitation = Invitation.objects.create(
        token_hash=hash_token(raw),
        email=email,
        name=name.strip(),
        setting=setting,
        role=role,
        child=child,
        invited_by=invited_by,
        expires_at=now + timedelta(days=settings.ACORN_INVITATION_DAYS),
    )
    audit_record(
        action="invitation.create",
        actor=invited_by,
        request=request,
        setting_id=setting.pk,
        child_id=getattr(child, "pk", None),
        object_type="invitation",
        object_id=invitation.pk,
        detail={"role": role},
    )
    email_send(
        to=email,
        template="invitation",
        context={
            "invitation": invitation,
            "path": f"/invite/{raw}",
            "setting": setting,
            "inviter": invited_by,
            "days": settings.ACORN_INVITATION_DAYS,
        },
    )
    return invitation, raw


def invitation_find_open(raw_token: str) -> Invitation | None:
    if not raw_token or len(raw_token) > 200:
        return None
    invitation = (
        Invitation.objects.select_related("setting", "child")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_open():
        return None
    return invitation


class InvitationPasswordWrong(InvitationError):
    """The invitation is for an existing account, and the password isn't its password."""


def invitation_accept(*, invitation: Invitation, name: str, password: str, request=None) -> User:
    """Create (or link) the invited person's account and give them their role.

    For someone who already has an account, the password must be their current one: an
    invitation link alone never takes over an existing account. A wrong password here is
    a failed sign-in for that account (A-4): counted, and refused while it is locked.
    """
    from acorn.accounts import throttle

    # Counted before the password is checked, as sign-in is, so parallel guesses can't
    # slip past the limit.
    attempt = throttle.attempt_begin(email=invitation.email, request=request)
    try:
        user = _invitation_accept(
            invitation=invitation, name=name, password=password, request=request
        )
    except InvitationPasswordWrong:
        # Recorded after the acceptance rolled back, so the failure is kept.
        attempt.failed(reason="invitation")
        raise
    except BaseException:
        attempt.passed()  # refused for another reason (expired, weak new password)
        raise
    attempt.passed()
    return user


@transaction.atomic
def _invitation_accept(*, invitation: Invitation, name: str, password: str, request=None) -> User:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open():
        raise InvitationError("This invitation has already been used or has expired.")
    user = User.objects.filter(email=invitation.email).first()
    new_account = user is None
    if new_account:
        # A new account takes the id the inviter was given.
        user = User(email=invitation.email, name=invitation.name)
        if not User.objects.filter(pk=invitation.person_id).exists():
            user.pk = invitation.person_id
    if new_account or not user.has_usable_password():
        user.name = name.strip() or invitation.name
        validate_password(password, user)
        user.set_password(password)
        user.save()
    elif not user.check_password(password):
        raise InvitationPasswordWrong(
            "You already have an Acorn account with this email address. "
            "Please enter that account's password to accept the invitation."
        )
    if invitation.role == Invitation.Role.PARENT:
        from acorn.children.consent import child_consent_recompute

        ParentLink.objects.get_or_create(parent=user, child=invitation.child)
        # A new parent who hasn't answered yet means no consent until they do (C-2).
        child_consent_recompute(invitation.child)
    else:
        from acorn.core.policy import Forbidden
        from acorn.org.services import RoleChangeRefused, membership_from_invitation

        setting = invitation.setting.name
        try:
            membership_from_invitation(invitation=invitation, person=user, request=request)
        except RoleChangeRefused:
            raise InvitationError(
                f"Accepting would make you {invitation.get_role_display().lower()} at "
                f"{setting}, which needs at least one manager, and you are its only manager. "
                "Make someone else manager first, then open this link again."
            ) from None
        except Forbidden:
            raise InvitationError(
                f"This invitation can't be accepted any more: whoever sent it can no longer "
                f"give that role at {setting}. Please ask a session leader there to invite "
                "you again."
            ) from None
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action="invitation.accept",
        actor=user,
        request=request,
        setting_id=invitation.setting_id,
        child_id=invitation.child_id,
        object_type="invitation",
        object_id=invitation.pk,
    )
    return user


def password_check_new(password: str, user: User) -> None:
    validate_password(password, user)


@transaction.atomic
def password_change(*, user: User, new_password: str, request=None) -> None:
    """Set a new password and end every other session and token."""
    user.set_password(new_password)
    user.sessions_valid_after = timezone.now()
    user.save(update_fields=["password", "sessions_valid_after"])
    audit_record(
        action="password.change", actor=user, request=request, object_type="user", object_id=user.pk
    )


@transaction.atomic
def sessions_end_all(*, user: User, request=None) -> None:
    """Log out everywhere: every web session and API token of this person stops working."""
    user.end_all_sessions()
    ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    audit_record(
        action="sessions.end_all",
        actor=user,
        request=request,
        object_type="user",
        object_id=user.pk,
    )


@transaction.atomic
def token_issue(*, user: User, request=None) -> tuple[ApiToken, str]:
    raw = new_token()
    token = ApiToken.objects.create(
        user=user,
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(hours=settings.ACORN_API_TOKEN_HOURS),
    )
    person_event_record(
        action="login",
        person=user,
        actor=user,
        request=request,
        object_type="api_token",
        object_id=token.pk,
        detail={"via": "api"},
    )
    return token, raw


def token_find_usable(raw: str) -> ApiToken | None:
    if not raw or len(raw) > 200:
        return None
    token = _token_by_hash.first(Text(hash_token(raw)))
    if token is None or not token.is_usable():
        return None
    now = timezone.now()
    idle_minutes = staff_idle_minutes(token.user)
    if idle_minutes is not None and now - token.last_used_at > timedelta(minutes=idle_minutes):
        # A staff tablet left signed in ends like a web session does.
        ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now)
        audit_record(
            action="logout.idle",
            actor=token.user,
            object_type="api_token",
            object_id=token.pk,
            detail={"via": "api", "idle_minutes": idle_minutes},
        )
        return None
    # Touch at most once a minute: an idle timeout in minutes needs no more.
    if now - token.last_used_at > timedelta(seconds=60):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@statement
def _token_by_hash(token_hash):
    """Asked on every API request: compiled once per process (`acorn.core.kept`)."""
    return ApiToken.objects.select_related("user").filter(token_hash=token_hash)[:1]


def staff_idle_minutes(user) -> int | None:
    """The shortest idle timeout of the settings this person works in; None for parents."""
    from acorn.org.selectors import memberships_of

    minutes = [m.setting.staff_idle_minutes for m in memberships_of(user).values()]
    return min(minutes) if minutes else None


@transaction.atomic
def token_revoke(*, token: ApiToken, request=None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action="logout",
        actor=token.user,
        request=request,
        object_type="api_token",
        object_id=token.pk,
        detail={"via": "api"},
    )


def validation_messages(error: ValidationError) -> str:
    return " ".join(error.messages)

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
from acorn.org.models import Membership


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
    # The person exists from the moment they are invited, so they have an id at once (a
    # key person can be chosen before they accept). They can't sign in until they accept
    # and choose a password.
    person = User.objects.filter(email=email).first()
    if person is None:
        person = User.objects.create_user(email=email, name=name.strip())
    if role != Invitation.Role.PARENT:
        Membership.objects.get_or_create(
            user=person, setting=setting, defaults={"role": role, "is_active": True}
        )
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
    invitation.person = person
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


@transaction.atomic
def invitation_accept(*, invitation: Invitation, name: str, password: str, request=None) -> User:
    """Create (or link) the invited person's account and give them their role.

    For someone who already has an account, the password must be their current one: an
    invitation link alone never takes over an existing account.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open():
        raise InvitationError("This invitation has already been used or has expired.")
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, name=invitation.name)
    if not user.has_usable_password():
        user.name = name.strip() or invitation.name
        validate_password(password, user)
        user.set_password(password)
        user.save()
    elif not user.check_password(password):
        raise InvitationError(
            "You already have an Acorn account with this email address. "
            "Please enter that account's password to accept the invitation."
        )
    if invitation.role == Invitation.Role.PARENT:
        from acorn.children.consent import child_consent_recompute

        ParentLink.objects.get_or_create(parent=user, child=invitation.child)
        # A new parent who hasn't answered yet means no consent until they do (C-2).
        child_consent_recompute(invitation.child)
    else:
        Membership.objects.update_or_create(
            user=user,
            setting=invitation.setting,
            defaults={"role": invitation.role, "is_active": True},
        )
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
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
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

"""Two-step sign-in (A-3): TOTP with single-use recovery codes.

Required for session leaders always, and for practitioners where their setting says so.
A code's time-step is remembered, so the same code can't be used twice; recovery codes
are stored as keyed hashes and work once. A manager can reset a person's two-step
sign-in when they lose their phone: it ends all their sessions, and they enrol again.
"""

import hashlib
import hmac
import secrets

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from acorn.accounts.models import ApiToken, RecoveryCode, TotpDevice
from acorn.audit.services import audit_record
from acorn.core.kept import statement
from acorn.core.policy import Forbidden
from acorn.org.selectors import memberships_of

ISSUER = "Acorn"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def mfa_required(user) -> bool:
    return any(
        m.is_session_leader or m.setting.mfa_for_practitioners
        for m in memberships_of(user).values()
    )


def device_of(user) -> TotpDevice | None:
    if "_acorn_totp" not in user.__dict__:
        user.__dict__["_acorn_totp"] = _device_of.first(user.pk)
    return user.__dict__["_acorn_totp"]


@statement
def _device_of(user_id):
    """Asked on every staff request: compiled once per process (`acorn.core.kept`)."""
    return TotpDevice.objects.filter(user_id=user_id).order_by("pk")[:1]


def mfa_enrolled(user) -> bool:
    device = device_of(user)
    return device is not None and device.confirmed_at is not None


def needs_enrolment(user) -> bool:
    return mfa_required(user) and not mfa_enrolled(user)


def _forget(user):
    user.__dict__.pop("_acorn_totp", None)


def recovery_hash(user, code: str) -> str:
    normalised = "".join(code.lower().split()).replace("-", "")
    message = f"{user.pk}:{normalised}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def otpauth_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


@transaction.atomic
def totp_begin(*, user, request=None) -> TotpDevice:
    """A new, unconfirmed secret (or the pending one again, so a reload shows the same)."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValueError("Two-step sign-in is already set up.")
    if device is None:
        device = TotpDevice.objects.create(user=user, secret=pyotp.random_base32())
        audit_record(
            action="mfa.begin", actor=user, request=request, object_type="user", object_id=user.pk
        )
    _forget(user)
    return device


def _match_totp(device: TotpDevice, code: str) -> int | None:
    """The time-step the code belongs to (now, or one step either side for clock drift),
    if it is newer than the last one used."""
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(device.secret)
    now_step = totp.timecode(timezone.now())
    for step in (now_step - 1, now_step, now_step + 1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def totp_confirm(*, user, code: str, request=None) -> list[str] | None:
    """Activates the pending device with a first code; returns fresh recovery codes."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        return None
    step = _match_totp(device, code)
    if step is None:
        return None
    device.confirmed_at = timezone.now()
    device.last_used_step = step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    codes = recovery_codes_replace(user=user)
    audit_record(
        action="mfa.enrol", actor=user, request=request, object_type="user", object_id=user.pk
    )
    _forget(user)
    return codes


def recovery_codes_replace(*, user) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=recovery_hash(user, code)) for code in codes
    )
    return codes


@transaction.atomic
def second_factor_verify(*, user, code: str, request=None) -> bool:
    """A TOTP code not used before, or an unused recovery code (used up by this)."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is None:
        return False
    step = _match_totp(device, code)
    if step is not None:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        _forget(user)
        return True
    recovery = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, used_at=None, code_hash=recovery_hash(user, code or ""))
        .first()
    )
    if recovery is None:
        return False
    recovery.used_at = timezone.now()
    recovery.save(update_fields=["used_at"])
    audit_record(
        action="mfa.recovery_code_used",
        actor=user,
        request=request,
        object_type="user",
        object_id=user.pk,
    )
    return True


def mfa_reset_check(*, person, reset_by, setting) -> None:
    """Who may reset someone's two-step sign-in: a manager of `setting` where the person
    works, not for themselves, and only when that manager also manages every other
    setting the person works in. Two-step sign-in protects all of a person's settings at
    once, so a manager of one must never strip protection another setting relies on
    (someone who works for two independent settings uses a recovery code instead)."""
    from acorn.org.models import Membership

    if person.pk == reset_by.pk:
        raise Forbidden(
            "You can't reset your own two-step sign-in. Use a recovery code, or ask another "
            "manager."
        )
    theirs = set(
        Membership.objects.filter(user=person, is_active=True).values_list("setting_id", flat=True)
    )
    managed = set(
        Membership.objects.filter(
            user=reset_by, is_active=True, role=Membership.Role.MANAGER
        ).values_list("setting_id", flat=True)
    )
    if setting.pk not in theirs or setting.pk not in managed:
        raise Forbidden("Only a manager can reset someone's two-step sign-in.")
    if not theirs <= managed:
        raise Forbidden(
            f"{person.name}'s two-step sign-in also protects their work at another setting, "
            "so only someone who manages every setting they work in can reset it.",
            next_step="Until then they can sign in with one of their recovery codes.",
        )


@transaction.atomic
def mfa_reset(*, person, reset_by, setting, request=None) -> None:
    """Lost phone: remove the person's authenticator and recovery codes and end every
    session and token. They set up two-step sign-in again when they next sign in."""
    mfa_reset_check(person=person, reset_by=reset_by, setting=setting)
    TotpDevice.objects.filter(user=person).delete()
    RecoveryCode.objects.filter(user=person).delete()
    person.end_all_sessions()
    ApiToken.objects.filter(user=person, revoked_at=None).update(revoked_at=timezone.now())
    _forget(person)
    audit_record(
        action="mfa.reset",
        actor=reset_by,
        request=request,
        setting_id=setting.pk,
        object_type="user",
        object_id=person.pk,
    )


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at=None).count()

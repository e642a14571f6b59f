"""Every write about devices: the register (D-1), enrolment, the sign-out sheet (D-2) and
a device reported missing (D-3). Each is audited in the same transaction."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from acorn.accounts.models import ApiToken, hash_token, new_token
from acorn.accounts.signatures import typed_signature
from acorn.audit.services import audit_record
from acorn.core.policy import Forbidden
from acorn.devices.models import Device, DeviceApiToken, DeviceCredential, SignOut
from acorn.devices.rules import DeviceUnavailable, require_key_worker

# The browser's device credential: a cookie that identifies the tablet, not a person.
DEVICE_COOKIE = "acorn_device"
DEVICE_COOKIE_DAYS = 5 * 365
SESSION_DEVICE = "acorn_device"
SESSION_CREDENTIAL = "acorn_device_credential"
IN_USE = (Device.State.IN_SETTING, Device.State.SIGNED_OUT)


def _audit(action, *, device, actor, request, detail=None, object_type="device", object_id=None):
    audit_record(
        action=action,
        actor=actor,
        request=request,
        setting_id=device.setting_id,
        object_type=object_type,
        object_id=object_id or device.pk,
        detail={"device": str(device.pk), **(detail or {})},
    )


@transaction.atomic
def device_register(
    *, setting, name: str, kind: str, serial="", asset_tag="", notes="", registered_by, request=None
) -> Device:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Please give the device a name, e.g. “Room 2 iPad”."})
    if kind not in Device.Kind.values:
        raise ValidationError({"kind": "A device is a tablet or a camera."})
    device = Device.objects.create(
        setting=setting,
        name=name[:100],
        kind=kind,
        serial=(serial or "").strip()[:100],
        asset_tag=(asset_tag or "").strip()[:100],
        notes=(notes or "").strip(),
    )
    _audit("device.register", device=device, actor=registered_by, request=request)
    return device


@transaction.atomic
def device_update(*, device, changed_by, request=None, **fields) -> Device:
    allowed = {"name", "serial", "asset_tag", "notes"}
    for field, value in fields.items():
        if field in allowed:
            setattr(device, field, (value or "").strip())
    if not device.name:
        raise ValidationError({"name": "Please give the device a name."})
    device.save(update_fields=sorted(allowed & set(fields)))
    _audit("device.update", device=device, actor=changed_by, request=request)
    return device


def _revoke_credentials(device, now) -> int:
    """Revokes the device's credential and every API token issued with it."""
    ApiToken.objects.filter(
        pk__in=DeviceApiToken.objects.filter(credential__device=device).values("api_token_id"),
        revoked_at=None,
    ).update(revoked_at=now)
    return DeviceCredential.objects.filter(device=device, revoked_at=None).update(revoked_at=now)


@transaction.atomic
def device_enrol(*, device, enrolled_by, request=None) -> tuple[DeviceCredential, str]:
    """Give the device a new credential (the old one stops working). A device that was
    missing and is found comes back into use this way."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.state == Device.State.RETIRED:
        raise DeviceUnavailable("This device is retired, so it can't be enrolled.")
    now = timezone.now()
    _revoke_credentials(device, now)
    found = device.state == Device.State.MISSING
    if found:
        out = SignOut.objects.filter(device=device, status=SignOut.Status.OUT).exists()
        device.state = Device.State.SIGNED_OUT if out else Device.State.IN_SETTING
        device.save(update_fields=["state"])
    raw = new_token()
    credential = DeviceCredential.objects.create(
        device=device, token_hash=hash_token(raw), created_by=enrolled_by
    )
    _audit(
        "device.enrol",
        device=device,
        actor=enrolled_by,
        request=request,
        detail={"found": found} if found else None,
    )
    return credential, raw


@transaction.atomic
def device_report_missing(*, device, reported_by, note="", request=None) -> Device:
    """D-3: the device is flagged missing, its credential is revoked, and every session
    and token opened on it ends on its next request. The reporter's and everyone's other
    sessions keep working."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    now = timezone.now()
    revoked = _revoke_credentials(device, now)
    device.state = Device.State.MISSING
    device.reported_missing_at = now
    device.reported_missing_by = reported_by
    device.missing_note = (note or "").strip()
    device.save(
        update_fields=["state", "reported_missing_at", "reported_missing_by", "missing_note"]
    )
    _audit(
        "device.missing",
        device=device,
        actor=reported_by,
        request=request,
        detail={"credentials_revoked": revoked},
    )
    return device


@transaction.atomic
def device_retire(*, device, retired_by, request=None) -> Device:
    device = Device.objects.select_for_update().get(pk=device.pk)
    if SignOut.objects.filter(device=device, status=SignOut.Status.OUT).exists():
        raise DeviceUnavailable("This device is signed out. Record its return first.")
    _revoke_credentials(device, timezone.now())
    device.state = Device.State.RETIRED
    device.save(update_fields=["state"])
    _audit("device.retire", device=device, actor=retired_by, request=request)
    return device


def _check_signature(typed: str, person, field="signature_name") -> str:
    return typed_signature(typed, person, field=field)


@transaction.atomic
def signout_request(
    *, device, person, reason: str, expected_back: datetime, signature_name: str, request=None
) -> SignOut:
    """The person taking the device asks, and signs. Only key workers may (D-2)."""
    require_key_worker(person, device.setting)
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.state != Device.State.IN_SETTING:
        raise DeviceUnavailable(
            f"{device.name} is {device.get_state_display().lower()}, so it can't be signed out."
        )
    reason = (reason or "").strip()
    problems = {}
    if not reason:
        problems["reason"] = "Please say why the device is leaving the setting."
    if expected_back is None or expected_back <= timezone.now():
        problems["expected_back"] = "The expected return must be later than now."
    if problems:
        raise ValidationError(problems)
    signature = _check_signature(signature_name, person)
    signout = SignOut.objects.create(
        device=device,
        setting_id=device.setting_id,
        person=person,
        reason=reason,
        expected_back=expected_back,
        signature_name=signature,
    )
    _audit(
        "signout.request",
        device=device,
        actor=person,
        request=request,
        object_type="signout",
        object_id=signout.pk,
    )
    return signout


@transaction.atomic
def signout_authorise(*, signout, leader, signature_name: str, request=None) -> SignOut:
    """A session leader of the device's setting authorises with their own signature. The
    caller has checked that `leader` leads the setting."""
    signout = SignOut.objects.select_for_update().select_related("device").get(pk=signout.pk)
    if signout.status != SignOut.Status.REQUESTED:
        raise DeviceUnavailable("This sign-out has already been authorised.")
    if signout.person_id == leader.pk:
        raise Forbidden(
            "You can't authorise your own sign-out.",
            next_step="Please ask another session leader (the manager or deputy).",
        )
    device = Device.objects.select_for_update().get(pk=signout.device_id)
    if device.state != Device.State.IN_SETTING:
        raise DeviceUnavailable(
            f"{device.name} is {device.get_state_display().lower()}, so it can't go out now."
        )
    signout.authoriser_signature = _check_signature(signature_name, leader, field="signature_name")
    signout.status = SignOut.Status.OUT
    signout.authorised_by = leader
    signout.authorised_at = timezone.now()
    signout.save(update_fields=["status", "authorised_by", "authorised_at", "authoriser_signature"])
    device.state = Device.State.SIGNED_OUT
    device.save(update_fields=["state"])
    _audit(
        "signout.authorise",
        device=device,
        actor=leader,
        request=request,
        object_type="signout",
        object_id=signout.pk,
    )
    return signout


@transaction.atomic
def signout_return(*, signout, recorded_by, request=None) -> SignOut:
    """The device is back. The person who took it or a session leader records it; the
    caller has checked which."""
    signout = SignOut.objects.select_for_update().get(pk=signout.pk)
    if signout.status != SignOut.Status.OUT:
        raise DeviceUnavailable("This device isn't signed out on this sheet line.")
    signout.status = SignOut.Status.RETURNED
    signout.returned_at = timezone.now()
    signout.return_recorded_by = recorded_by
    signout.save(update_fields=["status", "returned_at", "return_recorded_by"])
    device = Device.objects.select_for_update().get(pk=signout.device_id)
    if device.state == Device.State.SIGNED_OUT:
        device.state = Device.State.IN_SETTING
        device.save(update_fields=["state"])
    _audit(
        "signout.return",
        device=device,
        actor=recorded_by,
        request=request,
        object_type="signout",
        object_id=signout.pk,
    )
    return signout


def overdue_reminders_send(now=None) -> int:
    """Email the session leaders of the device's setting, once per sign-out, when a
    device isn't back by its expected time. The email names the device, the person and
    the time only: no child's data."""
    from acorn.accounts.services import email_send
    from acorn.suitability.selectors import session_leaders_of

    now = now or timezone.now()
    sent = 0
    overdue = SignOut.objects.filter(
        status=SignOut.Status.OUT, expected_back__lt=now, overdue_notified_at=None
    ).select_related("device", "person", "setting")
    for signout in overdue:
        with transaction.atomic():
            claimed = SignOut.objects.filter(pk=signout.pk, overdue_notified_at=None).update(
                overdue_notified_at=now
            )
            if not claimed:
                continue
            for leader in session_leaders_of(signout.setting):
                email_send(
                    to=leader.email,
                    template="device_overdue",
                    context={"recipient": leader, "signout": signout, "setting": signout.setting},
                )
                sent += 1
            audit_record(
                action="signout.overdue_emailed",
                setting_id=signout.setting_id,
                object_type="signout",
                object_id=signout.pk,
                detail={"device": str(signout.device_id)},
            )
    return sent


# Binding sign-ins to the device they happen on.


def device_session_bind(request) -> None:
    """Called when a web session starts: if the browser carries a live device credential,
    the session belongs to that device from now on."""
    from acorn.devices.selectors import live_credential

    credential = live_credential(request.COOKIES.get(DEVICE_COOKIE))
    if credential is None:
        request.session.pop(SESSION_DEVICE, None)
        request.session.pop(SESSION_CREDENTIAL, None)
        return
    request.session[SESSION_DEVICE] = str(credential.device_id)
    request.session[SESSION_CREDENTIAL] = str(credential.pk)
    request.acorn_device_id = credential.device_id


def device_token_bind(*, api_token, credential) -> None:
    DeviceApiToken.objects.create(api_token=api_token, credential=credential)


def set_device_cookie(response, raw: str, *, secure: bool) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        raw,
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        secure=secure,
        samesite="Strict",
    )


def device_token_allows(request, api_token) -> bool:
    """Called for every API request: a token issued on a device works only while that
    device is in use (D-3), and the request is marked with the device for the audit."""
    from acorn.devices.selectors import token_device

    bound = token_device(api_token)
    if bound is None:
        return True
    device_id, live = bound
    if not live:
        return False
    request.acorn_device_id = device_id
    return True

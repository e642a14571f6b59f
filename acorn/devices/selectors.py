"""Reads of the device register. The caller has checked that the viewer works in the
setting; a device of another setting is never found (404)."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from acorn.core.kept import statement
from acorn.devices.models import Device, DeviceApiToken, DeviceCredential, SignOut
from acorn.org.selectors import membership_in


def devices_of(setting):
    """The register: every device with the sign-out it is out on (if any), in a fixed
    number of queries."""
    return (
        Device.objects.filter(setting=setting)
        .prefetch_related(
            Prefetch(
                "signouts",
                queryset=SignOut.objects.filter(status=SignOut.Status.OUT).select_related("person"),
                to_attr="out_now",
            ),
            Prefetch(
                "credentials",
                queryset=DeviceCredential.objects.filter(revoked_at=None),
                to_attr="live_credentials",
            ),
        )
        .select_related("reported_missing_by")
        .order_by("state", "name")
    )


def signed_out_to(device):
    """The person a device from `devices_of` is out with, or None."""
    out = getattr(device, "out_now", None)
    return out[0].person if out else None


def device_for(user, device_id) -> Device:
    """A device of a setting the person works in; 404 otherwise."""
    device = Device.objects.select_related("setting").filter(pk=device_id).first()
    if device is None or membership_in(user, device.setting_id) is None:
        raise Http404
    return device


def signout_for(user, signout_id) -> SignOut:
    signout = (
        SignOut.objects.select_related("device", "setting", "person", "authorised_by")
        .filter(pk=signout_id)
        .first()
    )
    if signout is None or membership_in(user, signout.setting_id) is None:
        raise Http404
    return signout


def signouts_waiting(setting):
    return (
        SignOut.objects.filter(setting=setting, status=SignOut.Status.REQUESTED)
        .select_related("device", "person")
        .order_by("requested_at")
    )


@statement
def signouts_overdue(setting, now=None):
    """Devices signed out and not back when they were due; `signouts_overdue.rows(setting
    id, now)` compiled once (`acorn.core.kept.statement`)."""
    now = now or timezone.now()
    return (
        SignOut.objects.filter(setting=setting, status=SignOut.Status.OUT, expected_back__lt=now)
        .select_related("device", "person")
        .order_by("expected_back")
    )


def signouts_of_person(user, setting):
    return (
        SignOut.objects.filter(setting=setting, person=user)
        .exclude(status=SignOut.Status.RETURNED)
        .select_related("device", "authorised_by")
        .order_by("-requested_at")
    )


def sheet_for_month(setting, year: int, month: int):
    """The sign-out sheet for one month: every sign-out requested in it (setting time)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(setting.timezone)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return (
        SignOut.objects.filter(setting=setting, requested_at__gte=start, requested_at__lt=end)
        .select_related("device", "person", "authorised_by", "return_recorded_by")
        .order_by("requested_at")
    )


def live_credential(raw: str | None) -> DeviceCredential | None:
    """The credential a device presents, if it is live and its device is in use."""
    from acorn.accounts.models import hash_token

    if not raw or len(raw) > 200:
        return None
    return (
        DeviceCredential.objects.select_related("device")
        .filter(
            token_hash=hash_token(raw),
            revoked_at=None,
            device__state__in=(Device.State.IN_SETTING, Device.State.SIGNED_OUT),
        )
        .first()
    )


def credential_is_live(credential_id) -> bool:
    return DeviceCredential.objects.filter(
        pk=credential_id,
        revoked_at=None,
        device__state__in=(Device.State.IN_SETTING, Device.State.SIGNED_OUT),
    ).exists()


def token_device(api_token):
    """For an API token: (device id, still live) if it was issued on a device, else None."""
    row = _token_device_row.first(api_token.pk)
    if row is None:
        return None
    device_id, revoked_at, state = row
    live = revoked_at is None and state in (Device.State.IN_SETTING, Device.State.SIGNED_OUT)
    return device_id, live


@statement
def _token_device_row(api_token_id):
    """Asked on every API request: compiled once per process (`acorn.core.kept`)."""
    return DeviceApiToken.objects.filter(api_token_id=api_token_id).values_list(
        "credential__device_id", "credential__revoked_at", "credential__device__state"
    )[:1]


def devices_named(setting, device_ids) -> dict:
    """{device id as text: name} for the audit page; other settings' devices stay unnamed."""
    ids = [i for i in device_ids if i]
    if not ids:
        return {}
    return {
        str(pk): name
        for pk, name in Device.objects.filter(setting=setting, pk__in=ids).values_list("pk", "name")
    }

"""The setting's tablets and cameras (D-1), their sign-out sheet (D-2) and the device
credentials that bind sign-ins to a tablet, so that a missing one can be shut out (D-3)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Device(models.Model):
    class Kind(models.TextChoices):
        TABLET = "tablet", "Tablet"
        CAMERA = "camera", "Camera"

    class State(models.TextChoices):
        IN_SETTING = "in_setting", "In the setting"
        SIGNED_OUT = "signed_out", "Signed out"
        MISSING = "missing", "Missing"
        RETIRED = "retired", "Retired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="devices")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    serial = models.CharField(max_length=100, blank=True)
    asset_tag = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_SETTING)
    created_at = models.DateTimeField(default=timezone.now)
    reported_missing_at = models.DateTimeField(null=True, blank=True)
    reported_missing_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["setting", "state"], name="device_setting_state")]

    def __str__(self):
        return self.name


class DeviceCredential(models.Model):
    """The long-lived secret kept on an enrolled tablet (a cookie in its browser, or the
    app's `device_token`). Only its SHA-256 is stored. It identifies the device, never a
    person: it grants nothing by itself, it only binds sign-ins to the device."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="credentials")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(revoked_at=None), name="one_live_credential"
            )
        ]


class DeviceApiToken(models.Model):
    """An API token issued with a `device_token`: it belongs to that device (D-3)."""

    api_token = models.OneToOneField(
        "accounts.ApiToken", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    credential = models.ForeignKey(
        DeviceCredential, on_delete=models.CASCADE, related_name="api_tokens"
    )


class SignOut(models.Model):
    """One line of the sign-out sheet (D-2): who, which device, why, when out, when back,
    and both signatures (typed names, checked against the signers' own names)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a session leader"
        OUT = "out", "Out"
        RETURNED = "returned", "Returned"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="signouts")
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="device_signouts"
    )
    reason = models.TextField()
    expected_back = models.DateTimeField()
    signature_name = models.CharField(max_length=150)
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authoriser_signature = models.CharField(max_length=150, blank=True)
    authorised_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # A device is out with one person at a time.
            models.UniqueConstraint(
                fields=["device"], condition=Q(status="out"), name="one_signout_out_per_device"
            ),
            models.CheckConstraint(
                condition=~Q(status="out") | Q(authorised_by__isnull=False),
                name="signout_out_is_authorised",
            ),
        ]
        indexes = [
            models.Index(fields=["setting", "-requested_at"], name="signout_setting_requested"),
            models.Index(fields=["status", "expected_back"], name="signout_status_expected"),
        ]

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OUT and self.expected_back < timezone.now()

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from acorn.core.loading import QuickLoad


class Setting(QuickLoad, models.Model):
    """One pre-school or nursery: a tenant. Nothing crosses between settings."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=150)
    timezone = models.CharField(max_length=64, default="Europe/London")
    staff_idle_minutes = models.PositiveSmallIntegerField(default=15)
    # on-premises networks and trusted proxies, as CIDR strings. Until networks are
    # listed the off-site rule can't apply.
    on_site_networks = models.JSONField(default=list, blank=True)
    trusted_proxies = models.JSONField(default=list, blank=True)
    # [{"weekday": 0-6 (Monday 0), "start": "HH:MM", "end": "HH:MM"}] in `timezone`.
    session_times = models.JSONField(default=list, blank=True)
    # session leaders always need two-step sign-in; practitioners when this is on.
    mfa_for_practitioners = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(QuickLoad, models.Model):
    """A staff member's role in one setting."""

    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        DEPUTY = "deputy", "Deputy"
        PRACTITIONER = "practitioner", "Practitioner"

    SESSION_LEADER_ROLES = (Role.MANAGER, Role.DEPUTY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    # Raised in the same transaction as any change to this person's suitability records
    # here: cached clearances are keyed by it, so a change is seen at once everywhere.
    checks_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "setting"], name="one_membership_per_setting")
        ]
        indexes = [models.Index(fields=["setting", "role"], name="membership_setting_role")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.setting})"

    @property
    def is_session_leader(self) -> bool:
        return self.role in self.SESSION_LEADER_ROLES


class DutyPeriod(QuickLoad, models.Model):
    """A session leader on duty (A-7). Duty ends when ended, or at the end of the day it
    began in the setting's time zone, whichever comes first."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="duty_periods")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_periods"
    )
    started_at = models.DateTimeField(default=dj_timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["setting", "-started_at"], name="duty_setting_started")]

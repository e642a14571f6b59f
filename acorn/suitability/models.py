"""The staff suitability register (A-5).

Every record is kept: a newer record of the same kind supersedes an older one, but the
history stays for inspection. Records belong to one setting: each setting vouches for
its own staff, so a person who works in two settings is checked by each.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

CHECK_NAMES = ("dbs_enhanced", "update_service", "online_safety", "self_declaration")


class _Record(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class DbsCheck(_Record):
    """An enhanced DBS certificate with a check of the children's barred list."""

    certificate_number = models.CharField(max_length=32)
    issued_on = models.DateField()
    barred_list = models.BooleanField()
    original_seen = models.BooleanField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["setting", "person", "-issued_on"], name="dbs_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(barred_list=True, original_seen=True),
                name="dbs_barred_list_and_original_seen",
            )
        ]


class UpdateServiceSubscription(_Record):
    subscription_id = models.CharField(max_length=32)
    renews_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["setting", "person", "-recorded_at"], name="dbsus_person")]


class StatusCheck(_Record):
    """An online status check of the DBS certificate through the Update Service."""

    class Result(models.TextChoices):
        NO_NEW_INFORMATION = "no_new_information", "No new information"
        NEW_INFORMATION = "new_information", "New information"
        NOT_CURRENT = "not_current", "Not current"

    checked_on = models.DateField()
    result = models.CharField(max_length=24, choices=Result.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["setting", "person", "-checked_on"], name="status_person")]


class Declaration(_Record):
    """A declaration signed by the staff member themself, with the exact text signed."""

    class Kind(models.TextChoices):
        ONLINE_SAFETY = "online_safety", "Online safety staff declaration"
        SELF_DECLARATION = "self_declaration", "Annual self-declaration of suitability"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    version = models.CharField(max_length=16)
    text = models.TextField()
    signature_name = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["setting", "person", "kind", "-recorded_at"], name="decl_person")
        ]


class SafeguardingTraining(_Record):
    """Safeguarding training, renewed every two years. Shown on the register; not a gate."""

    completed_on = models.DateField()
    course = models.CharField(max_length=150)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["setting", "person", "-completed_on"], name="train_person")]


class ClearanceReminder(models.Model):
    """One reminder email about one item falling due: makes the daily run idempotent."""

    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.CharField(max_length=32)
    due_on = models.DateField()
    stage = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "person", "item", "due_on", "stage"],
                name="one_reminder_per_stage",
            )
        ]

"""Leaving (L-1), archive and grace period (L-3), keepsake exports (L-3, L-5) and the
deletion record that is all that remains after a purge (L-4)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# L-3: parents keep read access and exports for this many days after the leaving date
# (day 0); on the day after (day 31) the child is purged (L-4).
GRACE_DAYS = 30
# A subject access request is answered within one month (UK GDPR art. 12(3)):
# rules.one_month_after counts it.
# A keepsake's zip is kept this long after it is made, then the worker deletes it (the
# purge deletes it earlier if the child's grace period ends first). Another can be made.
EXPORT_KEPT_DAYS = 7


class Leaving(models.Model):
    """A child's leaving date and where they go, recorded by a session leader."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.OneToOneField("children.Child", on_delete=models.CASCADE, related_name="leaving")
    leaving_on = models.DateField()
    # A setting on this installation (a transfer is offered), or just a name.
    destination_setting = models.ForeignKey(
        "org.Setting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    destination_name = models.CharField(max_length=150, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Set when a transfer was accepted (L-2): from the leaving date the child belongs to
    # the receiving setting, so the sending setting never archives them.
    transferred_at = models.DateTimeField(null=True, blank=True)
    # Parents are told once when the grace period starts and once three days before it ends.
    grace_started_email_at = models.DateTimeField(null=True, blank=True)
    grace_ending_email_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["leaving_on"], name="leaving_on")]

    @property
    def grace_ends_on(self):
        return self.leaving_on + timedelta(days=GRACE_DAYS)

    @property
    def purge_on(self):
        return self.grace_ends_on + timedelta(days=1)


class KeepsakeExport(models.Model):
    """A zip of a child's journal: for the parents (L-3), or for a session leader answering
    a subject access request (with its one-month due date)."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be made"
        EXPIRED = "expired", "No longer kept"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # A session leader's export answers a subject access request.
    subject_access = models.BooleanField(default=False)
    requested_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREPARING)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    storage_name = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    ready_at = models.DateTimeField(null=True, blank=True)
    # The zip is deleted by the worker from this moment (EXPORT_KEPT_DAYS after ready_at).
    expires_at = models.DateTimeField(null=True, blank=True)
    # First download by the person who asked: a subject access request is then answered.
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["child", "-requested_at"], name="export_child"),
            models.Index(fields=["status", "expires_at"], name="export_expiry"),
        ]


class DeletionRecord(models.Model):
    """What remains of a purged child (L-4): counts and dates only. No name, no date of
    birth, no child id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    left_on = models.DateField()
    deleted_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-deleted_at"]
        indexes = [models.Index(fields=["setting", "-deleted_at"], name="deletion_setting")]


class Transfer(models.Model):
    """L-2: a child going to another setting on this installation. Offered when the
    leaving record names that setting; its session leaders accept (choosing a key person)
    or decline. Accepted, everything of the child moves on the leaving date (at once if
    that date has come): see acorn.leaving.transfer."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted: moves on the leaving date"
        COMPLETED = "completed", "Moved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.OFFERED, Status.ACCEPTED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    from_setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    to_setting = models.ForeignKey(
        "org.Setting", on_delete=models.CASCADE, related_name="incoming_transfers"
    )
    leaving_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFFERED)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(default=timezone.now)
    # The receiving setting's cleared staff member who becomes the child's key person.
    key_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why it was declined, for the sending leaders
    completed_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # what moved and what was copied

    class Meta:
        ordering = ["leaving_on", "offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status__in=["offered", "accepted"]),
                name="one_open_transfer_per_child",
            )
        ]
        indexes = [
            models.Index(fields=["to_setting", "status", "leaving_on"], name="transfer_incoming"),
            models.Index(fields=["status", "leaving_on"], name="transfer_due"),
        ]

    def __str__(self):
        return f"Transfer {self.pk} ({self.get_status_display()})"


class CarriedAppearance(models.Model):
    """Another child who can be seen in a photo or video that travelled with a transferred
    child (L-2). Never shown to anyone (the receiving setting knows nothing of that child):
    a withdrawal of that child's photo consent takes the copy out of sight, and the purge
    (L-4) of that child deletes it."""

    media = models.ForeignKey("journal.MediaItem", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    # Their face is obscured in the copy (it travelled as the shared rendition). Otherwise
    # the copy is seen only while the child's photo consent holds (C-2, in
    # journal.selectors.media_visible_to), by the receiving setting's staff too.
    obscured = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "child"], name="one_carried_appearance")
        ]
        indexes = [models.Index(fields=["child"], name="carried_child")]


class KeepsakeImport(models.Model):
    """A child brought in from another Acorn installation's keepsake (L-5), as a
    transferred child: where it came from, and a fingerprint of the file so the same
    keepsake is never imported twice into a setting."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    child = models.OneToOneField(
        "children.Child", on_delete=models.CASCADE, related_name="keepsake_import"
    )
    # The zip's SHA-256, and journal.json's own (the same journal zipped again).
    archive_sha256 = models.CharField(max_length=64)
    journal_sha256 = models.CharField(max_length=64)
    source_setting_name = models.CharField(max_length=200)
    format_version = models.PositiveSmallIntegerField()
    exported_at = models.DateTimeField()
    imported_at = models.DateTimeField(default=timezone.now)
    # What arrived: counts, and for each photo or video its new id -> the SHA-256 of the
    # file in the zip it was made from (provenance; the files themselves are re-made).
    counts = models.JSONField(default=dict)
    media_sources = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "journal_sha256"], name="one_import_per_keepsake"
            )
        ]


class ImportedReport(models.Model):
    """A shared report that came with an imported keepsake: read-only, as it was shared
    (the judgements are labels on the other setting's scale, so they are kept as text)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="imported_reports"
    )
    title = models.CharField(max_length=150)
    shared_on = models.DateField(null=True, blank=True)
    # The report as journal.json has it (docs/keepsake-format.md, "reports").
    content = models.JSONField(default=dict)

    class Meta:
        ordering = ["shared_on"]

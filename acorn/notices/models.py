"""In-app notifications: what a person is told about (a reply, a contribution from home,
feedback, a decision, a new entry, a shared report), one row per recipient.

A row holds only references (the entry, the report, the child, who did it): its words
are made when it is read, for that reader, and every read goes through the selectors, so
a notification never outlives the recipient's right to see what it points at. Rows go
with the entry, report, reply or child they are about (L-4)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from acorn.core.loading import QuickLoad


class Notice(QuickLoad, models.Model):
    class Kind(models.TextChoices):
        # For staff of the setting.
        REPLY = "reply", "A parent replied"
        CONTRIBUTION = "contribution", "Something from home to approve"
        FEEDBACK = "feedback", "Review feedback"
        # For parents.
        ENTRY = "entry", "New in the journal"
        CONTRIBUTION_ADDED = "contribution_added", "Your contribution was added"
        CONTRIBUTION_NOT_ADDED = "contribution_not_added", "Your contribution wasn't added"
        REPORT = "report", "A report was shared"
        STAFF_REPLY = "staff_reply", "Staff replied"

    STAFF_KINDS = (Kind.REPLY, Kind.CONTRIBUTION, Kind.FEEDBACK)
    PARENT_KINDS = (
        Kind.ENTRY,
        Kind.CONTRIBUTION_ADDED,
        Kind.CONTRIBUTION_NOT_ADDED,
        Kind.REPORT,
        Kind.STAFF_REPLY,
    )
    # One of these per person and entry, however often it is asked for (a republished or
    # edited entry, a contribution decided after a retry): they are idempotent.
    ONCE_PER_ENTRY = (
        Kind.ENTRY,
        Kind.CONTRIBUTION,
        Kind.CONTRIBUTION_ADDED,
        Kind.CONTRIBUTION_NOT_ADDED,
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    # The child it is about: for a parent always their own child.
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(
        "journal.Observation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "journal.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who did it (the parent who replied, the leader who gave feedback); shown to staff only.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The list, newest first, and the badge's unread count.
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_newest"),
            models.Index(
                fields=["recipient"], condition=Q(read_at=None), name="notice_recipient_unread"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "observation"],
                condition=Q(
                    kind__in=[
                        "entry",
                        "contribution",
                        "contribution_added",
                        "contribution_not_added",
                    ]
                ),
                name="one_notice_per_entry",
            ),
            models.UniqueConstraint(
                fields=["recipient", "report"],
                condition=Q(kind="report"),
                name="one_notice_per_report",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%d %b %Y})"

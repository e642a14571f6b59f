"""The four reports of R-2 (baseline, summative, two year progress check, final), each a
draft that goes through review by a session leader, is shared with the child's parents
and then locked. A correction is a new version of the same series; the shared one stays
as it was."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from acorn.core.loading import QuickLoad


class Report(QuickLoad, models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline assessment"
        SUMMATIVE = "summative", "Summative report"
        TWO_YEAR_CHECK = "two_year_check", "Progress check at age two"
        FINAL = "final", "Final report"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "Waiting for review"
        APPROVED = "approved", "Approved"
        SHARED = "shared", "Shared with parents"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The versions of one report share a series; each is a row of its own.
    series = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveSmallIntegerField(default=1)
    setting = models.ForeignKey("org.Setting", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    term = models.ForeignKey(
        "eyfs.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    due_on = models.DateField(null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    # [{"area": "CL", "judgement": "on_track" | "", "text": "..."}], in framework order.
    sections = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    # The two year check's statutory parts besides the prime areas.
    strengths = models.TextField(blank=True)
    less_than_expected = models.TextField(blank=True)
    support_plan = models.TextField(blank=True)
    # Chosen by the key person from the period's photos (ids of MediaItem, in order); read
    # through the journal's consent rule every time the report is shown.
    photo_ids = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    # The parent's view, written by a parent once the report is shared.
    parent_comment = models.TextField(blank=True)
    parent_comment_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent_comment_at = models.DateTimeField(null=True, blank=True)
    # Two year check: may it be shared with the health visitor? None until a parent says.
    health_visitor_consent = models.BooleanField(null=True, blank=True)
    health_visitor_consent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="one_report_version"),
            models.CheckConstraint(
                condition=~Q(kind="summative") | Q(term__isnull=False),
                name="summative_report_has_term",
            ),
        ]
        indexes = [
            models.Index(fields=["child", "kind", "status"], name="report_child_kind"),
            models.Index(fields=["setting", "status"], name="report_setting_status"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} (version {self.version})"

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT


class ReportReview(models.Model):
    """A session leader's review: approved, or sent back to the author with a comment."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

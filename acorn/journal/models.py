import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

AREAS_OF_LEARNING = {
    "CL": "Communication and language",
    "PSED": "Personal, social and emotional development",
    "PD": "Physical development",
    "L": "Literacy",
    "M": "Mathematics",
    "UW": "Understanding the world",
    "EAD": "Expressive arts and design",
}


class Observation(models.Model):
    """A journal entry about one or several children."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Waiting for approval"
        REJECTED = "rejected", "Not added"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    children = models.ManyToManyField(
        "children.Child", through="ObservationChild", related_name="observations"
    )
    text = models.TextField()
    observed_on = models.DateField()
    areas = models.JSONField(default=list, blank=True)
    next_steps = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # the session leader on duty when a practitioner without key children recorded it.
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_parent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["setting", "status", "-created_at"], name="obs_setting_status"),
            models.Index(fields=["author", "status"], name="obs_author_status"),
        ]

    def __str__(self):
        return f"Observation {self.observed_on:%d %b %Y}"

    def area_names(self):
        return [AREAS_OF_LEARNING[code] for code in self.areas if code in AREAS_OF_LEARNING]


class ObservationChild(models.Model):
    """Which children an observation is about; the index journals are read through."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="links")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    # Copied from the observation so a child's journal is one index range scan.
    observed_on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "child"], name="one_link_per_child")
        ]
        indexes = [
            models.Index(
                fields=["child", "-observed_on", "-created_at"], name="journal_child_newest"
            )
        ]

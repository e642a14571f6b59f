"""The EYFS as data (R-1), terms and the judgement scale per setting (R-3), and termly
assessments (R-4's "judged not on track")."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Framework(models.Model):
    """One version of the EYFS. Exactly one is current; assessments keep the version they
    were made in, so a new framework never changes what an old judgement meant."""

    version = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    is_current = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_framework"
            )
        ]

    def __str__(self):
        return self.name


class Area(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=100)
    prime = models.BooleanField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="one_area_code_per_version")
        ]

    def __str__(self):
        return self.name


class Aspect(models.Model):
    """An aspect of an area; in the 2024 framework each aspect is one Early Learning Goal."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aspects")
    code = models.CharField(max_length=12)
    name = models.CharField(max_length=100)
    is_early_learning_goal = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["area__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="one_aspect_code_per_area")
        ]

    def __str__(self):
        return self.name


class Characteristic(models.Model):
    """A characteristic of effective learning."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="characteristics"
    )
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="one_characteristic_code_per_version"
            )
        ]


class AgeBand(models.Model):
    """Development Matters' age bands and Birth to 5 Matters' (overlapping) ranges."""

    class Guidance(models.TextChoices):
        DEVELOPMENT_MATTERS = "development_matters", "Development Matters"
        BIRTH_TO_5_MATTERS = "birth_to_5_matters", "Birth to 5 Matters"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="age_bands")
    guidance = models.CharField(max_length=24, choices=Guidance.choices)
    code = models.CharField(max_length=24)
    name = models.CharField(max_length=100)
    from_months = models.PositiveSmallIntegerField()
    to_months = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["guidance", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "guidance", "code"], name="one_band_code_per_guidance"
            )
        ]


DEFAULT_SCALE = [
    {"value": "on_track", "label": "On track", "on_track": True},
    {"value": "at_risk", "label": "At risk of not being on track", "on_track": False},
    {"value": "not_on_track", "label": "Not on track", "on_track": False},
]


class JudgementScale(models.Model):
    """A setting's own judgement scale; without one the default (DEFAULT_SCALE) applies."""

    setting = models.OneToOneField(
        "org.Setting", on_delete=models.CASCADE, related_name="judgement_scale"
    )
    levels = models.JSONField(default=list)  # [{"value", "label", "on_track": bool}]
    updated_at = models.DateTimeField(default=timezone.now)


class Term(models.Model):
    """A setting's term (R-3): assessments and summative reports hang off it. Terms of
    one setting never overlap (checked under a lock in eyfs.services.term_create)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=80)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="term_ends_after_it_starts",
                violation_error_message="A term can't end before it starts.",
            )
        ]
        indexes = [models.Index(fields=["setting", "starts_on"], name="term_setting_start")]

    def __str__(self):
        return self.name


class Assessment(models.Model):
    """A child's judgements for one term."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "term"], name="one_assessment_per_term")
        ]


class Judgement(models.Model):
    """One cell of the grid: an area (or one of its aspects) judged on the setting's scale.
    `aspect` is empty for a judgement of the whole area."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=8)
    aspect = models.CharField(max_length=12, blank=True, default="")
    value = models.CharField(max_length=40)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["area", "aspect"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "area", "aspect"], name="one_judgement_per_cell"
            )
        ]

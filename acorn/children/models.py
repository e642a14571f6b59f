import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Child(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Attending"
        LEFT = "left", "Left"
        ARCHIVED = "archived", "Archived"
        TRANSFERRED = "transferred", "Transferred"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    start_date = models.DateField()
    key_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="key_children"
    )
    backup_key_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backup_key_children",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_name", "last_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(key_person=models.F("backup_key_person")),
                name="backup_differs_from_key_person",
                violation_error_message=(
                    "The back-up key person must be someone other than the key person."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["setting", "status", "first_name"], name="child_setting_list"),
            models.Index(fields=["key_person", "status"], name="child_key_person"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() + "." for part in (self.first_name, self.last_name) if part)

    def age_on(self, day) -> tuple[int, int]:
        months = (day.year - self.date_of_birth.year) * 12 + day.month - self.date_of_birth.month
        if day.day < self.date_of_birth.day:
            months -= 1
        return divmod(max(months, 0), 12)


class ParentLink(models.Model):
    """A parent or carer linked to a child. Onboarding (agreement, consent) builds on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parent_links")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="one_link_per_parent_child")
        ]
        indexes = [models.Index(fields=["child"], name="parentlink_child")]

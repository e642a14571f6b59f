import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from acorn.core.loading import QuickLoad


class Child(QuickLoad, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Attending"
        LEFT = "left", "Left"
        ARCHIVED = "archived", "Archived"
        TRANSFERRED = "transferred", "Transferred"

    class Sex(models.TextChoices):
        FEMALE = "female", "Girl"
        MALE = "male", "Boy"

    class SendStage(models.TextChoices):
        NONE = "none", "No special educational needs"
        SEN_SUPPORT = "sen_support", "SEN support"
        EHC_PLAN = "ehc_plan", "Education, health and care plan"

    class FundedEntitlement(models.TextChoices):
        NONE = "none", "No funded hours"
        HOURS_15 = "15h", "15 hours"
        HOURS_30 = "30h", "30 hours"

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
    # C-1/C-2: may this child appear in other children's journals? True only when every
    # linked parent's latest answer is yes. Kept by children.consent, read by selectors.
    image_consent = models.BooleanField(default=False)
    # A portrait for the child's tiles and journal: seen by staff and the child's own
    # parents only (journal.selectors.media_visible_to).
    photo = models.ForeignKey(
        "journal.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What monitoring needs. Staff only: never in a parent's page or API answer.
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    send_stage = models.CharField(
        "SEND", max_length=12, choices=SendStage.choices, default=SendStage.NONE
    )
    eal = models.BooleanField("English as an additional language", default=False)
    home_language = models.CharField(max_length=60, blank=True)
    funded_entitlement = models.CharField(
        max_length=8, choices=FundedEntitlement.choices, default=FundedEntitlement.NONE
    )
    two_year_funding = models.BooleanField("Funded place for a two-year-old", default=False)
    eypp = models.BooleanField("Early years pupil premium", default=False)
    room = models.CharField("Room or group", max_length=60, blank=True)
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
            # C-2 asks of every photo listed or served whether a child without photo
            # consent appears in it: this answers from the few such children alone, where
            # PostgreSQL read every child of every setting once per photo (issue 13).
            models.Index(
                fields=["id"],
                condition=models.Q(image_consent=False),
                name="child_without_consent",
            ),
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


class ParentLink(QuickLoad, models.Model):
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


DEFAULT_AGREEMENT = (
    "I agree not to download, copy, screenshot or share anything from Acorn (photos, "
    "videos or words) on any other website, app or social media, such as Facebook, "
    "Instagram or WhatsApp. Other children may appear in what I see, and I will respect "
    "their privacy as other families respect my child's."
)
DEFAULT_CONSENT_QUESTION = (
    "Do you agree that photos and videos in which your child appears may be shown in "
    "other children's learning journals, for example a group photo of children playing "
    "together? If you say no, your child will only appear in their own journal."
)


class OnboardingWording(models.Model):
    """The words parents sign (P-1), versioned per setting. A new version asks every
    parent to sign again; earlier signatures stay on record with the version they signed."""

    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    agreement_text = models.TextField()
    consent_question = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["setting", "version"], name="one_wording_version")
        ]
        ordering = ["-version"]


class ParentAgreement(models.Model):
    """A parent's signature of the no-sharing agreement (append-only)."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreements"
    )
    wording = models.ForeignKey(OnboardingWording, on_delete=models.PROTECT, related_name="+")
    signature_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["parent", "wording"], name="agreement_parent")]


class ImageConsent(models.Model):
    """A parent's answer to the image-consent question for one child (append-only: the
    latest answer counts; earlier ones stay as the record)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="consents")
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents_given"
    )
    images_in_other_journals = models.BooleanField()
    wording = models.ForeignKey(OnboardingWording, on_delete=models.PROTECT, related_name="+")
    signature_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["child", "parent", "-signed_at"], name="consent_latest")]

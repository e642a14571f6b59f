import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from acorn.core.loading import QuickLoad

AREAS_OF_LEARNING = {
    "CL": "Communication and language",
    "PSED": "Personal, social and emotional development",
    "PD": "Physical development",
    "L": "Literacy",
    "M": "Mathematics",
    "UW": "Understanding the world",
    "EAD": "Expressive arts and design",
}


class Observation(QuickLoad, models.Model):
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
    # The author's name when they aren't a person here: an entry imported from another
    # Acorn installation's keepsake (L-5) keeps who wrote it as a label, not a user.
    author_label = models.CharField(max_length=150, blank=True)
    children = models.ManyToManyField(
        "children.Child", through="ObservationChild", related_name="observations"
    )
    text = models.TextField()
    observed_on = models.DateField()
    areas = models.JSONField(default=list, blank=True)
    # EYFS aspects and characteristics of effective learning, by code (GET /eyfs).
    aspects = models.JSONField(default=list, blank=True)
    characteristics = models.JSONField(default=list, blank=True)
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
    # Set by the capture page: a retried or double submit finds the entry already made.
    client_ref = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - NULLs never collide
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # Parent contributions: who decided, when, and the reason the parent sees if rejected.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # J-6 review by session leaders.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_feedback = models.TextField(blank=True)
    discuss_at_meeting = models.BooleanField(default=False)
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["setting", "status", "-created_at"], name="obs_setting_status"),
            models.Index(fields=["author", "status"], name="obs_author_status"),
            # J-6: the review list (unreviewed staff entries, newest published first) and
            # Today's count of them, at any size (issue 13). Partial, so PostgreSQL can give
            # the order too (it orders by an index only past columns compared with `=`, and
            # `IS NULL` isn't one). It replaces (setting, reviewed_at, status), which the
            # planners preferred and then sorted the whole setting.
            models.Index(
                fields=["setting", "status", "-published_at"],
                condition=models.Q(by_parent=False, reviewed_at__isnull=True),
                name="obs_unreviewed",
            ),
            # The staff-meeting agenda (Today counts it on every visit), in its order. Partial:
            # on (setting, discuss_at_meeting), SQLite read a one-setting table whole.
            models.Index(
                fields=["setting", "reviewed_at"],
                condition=models.Q(discuss_at_meeting=True, discussed_at__isnull=True),
                name="obs_agenda_waiting",
            ),
            # what a session leader supervised in this setting (Today), newest first.
            # The setting is in the index: with only the supervisor, PostgreSQL took the
            # setting from another index, guessed a few dozen rows (a leader's entries are
            # all in their own settings) and read every entry they ever supervised.
            models.Index(
                fields=["supervisor", "setting", "-created_at"], name="obs_supervisor_setting"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_ref"], name="one_entry_per_client_ref"
            )
        ]

    def __str__(self):
        return f"Observation {self.observed_on:%d %b %Y}"

    def area_names(self):
        return [AREAS_OF_LEARNING[code] for code in self.areas if code in AREAS_OF_LEARNING]

    def aspect_names(self):
        from acorn.eyfs.selectors import aspect_names

        return aspect_names(self.aspects)

    def characteristic_names(self):
        from acorn.eyfs.selectors import characteristic_names

        return characteristic_names(self.characteristics)


class ObservationChild(QuickLoad, models.Model):
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
            # Serves a child's journal in its order, the entry's id breaking ties.
            models.Index(
                fields=["child", "-observed_on", "-created_at", "-observation"],
                name="journal_child_newest",
            )
        ]


class MediaItem(QuickLoad, models.Model):
    """A photo or video. Files live under one private storage prefix per item, named so
    they reveal nothing (no child, no date): `media/<random>/original`, `.../display.jpg`…
    """

    class Kind(models.TextChoices):
        PHOTO = "photo", "Photo"
        VIDEO = "video", "Video"

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be processed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting = models.ForeignKey("org.Setting", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    observation = models.ForeignKey(
        Observation, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    mime = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    failure_message = models.CharField(max_length=300, blank=True)
    storage_prefix = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(max_length=40)  # e.g. "original.heic"
    renditions = models.JSONField(default=dict, blank=True)  # name -> storage file name
    size_bytes = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    appears = models.ManyToManyField(
        "children.Child", through="MediaAppearance", related_name="appears_in"
    )
    # Faces (C-2): found by the worker, corrected by staff, each perhaps a child's:
    # [{"box": [x, y, w, h] (0-1 of the picture), "child": "<id>" | null, "found": bool}]
    # (videos add "at": seconds in). Staff only: never shown to parents.
    faces = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [
            models.Index(fields=["observation", "position"], name="media_observation"),
            models.Index(fields=["status", "processing_started_at"], name="media_status"),
            models.Index(fields=["uploaded_by", "-created_at"], name="media_uploader"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    def original_path(self) -> str:
        return f"{self.storage_prefix}/{self.original_name}"


class MediaAppearance(models.Model):
    """C-1: a child who can be seen in a photo or video."""

    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="appearances")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "child"], name="one_appearance_per_child")
        ]
        indexes = [models.Index(fields=["child"], name="appearance_child")]


class SharedRendition(models.Model):
    """C-2: one "shared" copy of a photo (display and thumbnail) in which the faces of
    children without image consent are obscured, all but those in `kept`.

    A photo has one per family view (issue 16): `kept` empty, every such face obscured,
    for families with no such child in it; and one per child without consent (and per
    family with several), with that family's own children left as they are. Which copy
    a reader gets is decided in `selectors.media_visible_to`. Made by the worker; every
    copy of a photo is replaced together whenever its marks or consents change."""

    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="shared_renditions")
    # The children without consent whose faces this copy leaves as they are (ids, sorted).
    kept = models.JSONField(default=list, blank=True)
    kept_count = models.PositiveSmallIntegerField(default=0)
    renditions = models.JSONField(default=dict)  # "display"/"thumb" -> storage file name
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["media", "-kept_count"], name="shared_rendition_media")]


class ObscuredFace(models.Model):
    """C-2: a child whose face is obscured in one stored shared rendition of a photo.

    Written by the worker with the rendition, and gone with it whenever the marks change,
    so a row here always describes the file being served. A reader gets a shared copy
    only if every child without consent in the photo (their own children aside) has a row
    for it; otherwise the photo stays out of their journals."""

    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="obscured")
    rendition = models.ForeignKey(
        SharedRendition, on_delete=models.CASCADE, related_name="obscured"
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rendition", "child"], name="one_obscured_face_per_child_and_copy"
            )
        ]


class Comment(QuickLoad, models.Model):
    """A reply on a journal entry (P-3). Each family has its own thread on a group entry,
    so one family's replies never reach another family."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="comments")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # As on Observation: the name of an author from another installation (an import).
    author_label = models.CharField(max_length=150, blank=True)
    by_staff = models.BooleanField(default=False)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["observation", "child", "created_at"], name="comment_thread"),
        ]


class ObservationRevision(models.Model):
    """J-5: what an entry said before each edit. Its history page compares each version
    with the next (or the entry as it is now): text, children, photos and tags.

    Fields added later (aspects, characteristics, media) are None on revisions written
    before they were recorded: "not recorded", never "there were none"."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    observed_on = models.DateField()
    areas = models.JSONField(default=list)
    next_steps = models.TextField(blank=True)
    child_ids = models.JSONField(default=list)
    aspects = models.JSONField(null=True, blank=True)
    characteristics = models.JSONField(null=True, blank=True)
    # The photos and videos it had, in order: [{"id", "kind", "appears": [child id]}].
    # A removed item's files are gone; its id and kind are kept so the history can say so.
    media = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-edited_at"]


class NotificationPreference(models.Model):
    """P-5: how a person wants to hear by email. Parents: an email for each new entry or
    shared report (the default), one a day at most (the daily digest), or none. Staff may
    ask for a daily email of their unread notifications (off unless they ask)."""

    class Email(models.TextChoices):
        EACH = "each", "An email each time"
        DAILY = "daily", "One email a day at most"
        NONE = "none", "No emails"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_notifications"
    )
    email = models.CharField(max_length=8, choices=Email.choices, default=Email.EACH)
    staff_daily_email = models.BooleanField(default=False)
    # The day (Europe/London) the last daily email went: claimed before sending, so two
    # workers never send the same day's email twice.
    digest_sent_on = models.DateField(null=True, blank=True)


class CaptureDraft(models.Model):
    """What someone has typed on the capture page (or a parent on "add something from
    home") and not yet sent, saved as they type so it follows them to any device.

    It is not an observation: nobody but its author ever reads it, it appears in no
    journal, feed or count, and it is gone once the entry is sent or the author discards
    it. Children chosen here are only ids; they are offered back, never re-ticked silently.
    """

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation"
        CONTRIBUTION = "contribution", "Something from home"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A contribution is written on one child's page.
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The capture page's own reference for this attempt (as on Observation).
    client_ref = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    observed_on = models.DateField(null=True, blank=True)
    child_ids = models.JSONField(default=list, blank=True)
    areas = models.JSONField(default=list, blank=True)
    aspects = models.JSONField(default=list, blank=True)
    characteristics = models.JSONField(default=list, blank=True)
    media_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_ref"], name="one_capture_draft_per_client_ref"
            )
        ]
        indexes = [
            models.Index(fields=["author", "setting", "kind", "-updated_at"], name="capture_mine")
        ]

    def __str__(self):
        return f"Unsent {self.get_kind_display().lower()}"

"""Fixtures of the leaving tests: a journal with everything a keepsake can carry."""

import io
import secrets
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageDraw

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal.models import (
    Comment,
    MediaAppearance,
    MediaItem,
    ObscuredFace,
    SharedRendition,
)
from acorn.media_processing.tests import samples
from acorn.reports.models import Report


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """Runs the tasks a request enqueues after its commit (tests run tasks at once)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def picture(colour, size=(320, 240)) -> bytes:
    """A real JPEG with something in it (so re-encoding can be compared by its pixels)."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((60, 40, 200, 180), fill=(255 - colour[0], 255 - colour[1], 90))
    draw.rectangle((220, 20, 300, 220), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def stored_item(setting, *, observation=None, appears=(), files, renditions, kind="photo"):
    prefix = f"media/{secrets.token_hex(16)}"
    for name, content in files.items():
        default_storage.save(f"{prefix}/{name}", ContentFile(content))
    item = MediaItem.objects.create(
        setting=setting,
        observation=observation,
        kind=kind,
        mime="image/jpeg" if kind == "photo" else "video/mp4",
        status=MediaItem.Status.READY,
        storage_prefix=prefix,
        original_name=next(iter(files)),
        renditions=renditions,
    )
    MediaAppearance.objects.bulk_create(MediaAppearance(media=item, child=c) for c in appears)
    return item


@pytest.fixture
def source(world, tmp_path):
    """Xander's journal with everything a keepsake can carry."""
    w = world
    Child.objects.filter(pk=w.other_child.pk).update(image_consent=False)
    w.own = f.observation(
        author=w.key_person,
        children=[w.child],
        text="Xander painted a sun.\nThen a moon.",
        observed_on=date(2026, 10, 2),
        areas=["EAD", "CL"],
        aspects=["CL-S"],
        characteristics=["active_learning"],
        next_steps="Offer him chalk outside.",
    )
    jpg = picture((200, 40, 40))
    w.own_photo = stored_item(
        w.setting_a,
        observation=w.own,
        appears=[w.child],
        files={"original.jpg": jpg, "display.jpg": jpg, "thumb.jpg": picture((1, 1, 1))},
        renditions={"display": "display.jpg", "thumb": "thumb.jpg"},
    )
    clip = samples.clip(tmp_path / "clip.mp4", seconds=1, audio=False)
    w.video = stored_item(
        w.setting_a,
        observation=w.own,
        appears=[w.child],
        kind="video",
        files={
            "original.mp4": clip.read_bytes(),
            "display.mp4": clip.read_bytes(),
            "poster.jpg": picture((0, 200, 0)),
        },
        renditions={"display": "display.mp4", "poster": "poster.jpg"},
    )
    MediaItem.objects.filter(pk=w.video.pk).update(position=1)
    w.group = f.observation(
        author=w.key_person,
        children=[w.child, w.other_child],
        text="Xander and Yasmin Zed built a tall tower together.",
        observed_on=date(2026, 10, 9),
        areas=["PD"],
    )
    shared = picture((10, 10, 250))
    w.group_photo = stored_item(
        w.setting_a,
        observation=w.group,
        appears=[w.child, w.other_child],
        files={
            "original.jpg": picture((40, 200, 40)),
            "display.jpg": picture((40, 200, 40)),
            "shared_display.jpg": shared,
        },
        renditions={"display": "display.jpg"},
    )
    copy = SharedRendition.objects.create(
        media=w.group_photo,
        renditions={"display": "shared_display.jpg", "thumb": "shared_display.jpg"},
    )
    ObscuredFace.objects.create(media=w.group_photo, rendition=copy, child=w.other_child)
    w.reply = Comment.objects.create(
        observation=w.group, child=w.child, author=w.parent, text="He told us all about it!"
    )
    w.staff_reply = Comment.objects.create(
        observation=w.group, child=w.child, author=w.key_person, by_staff=True, text="He did!"
    )
    w.from_home = f.observation(
        author=w.parent,
        children=[w.child],
        text="Xander baked bread with Grandma.",
        observed_on=date(2026, 10, 11),
        by_parent=True,
    )
    w.waiting = f.observation(
        author=w.parent,
        children=[w.child],
        text="Still waiting for approval.",
        status="pending",
        by_parent=True,
    )
    portrait = picture((250, 200, 150))
    w.portrait = stored_item(
        w.setting_a,
        appears=[w.child],
        files={"original.jpg": portrait, "display.jpg": portrait},
        renditions={"display": "display.jpg"},
    )
    w.portrait_bytes = portrait
    Child.objects.filter(pk=w.child.pk).update(photo=w.portrait)
    w.report = Report.objects.create(
        setting=w.setting_a,
        child=w.child,
        kind="baseline",
        status="shared",
        period_start=date(2025, 9, 1),
        period_end=date(2025, 10, 13),
        shared_at=timezone.now(),
        summary="Xander settled in quickly and plays with Yasmin Zed.",
        sections=[
            {"area": "CL", "judgement": "on_track", "text": "Talks in long sentences."},
            {"area": "PD", "judgement": "at_risk", "text": "Still finding the stairs hard."},
        ],
        next_steps="Climbing frame every day.",
        parent_comment="We're so proud of him.",
    )
    Report.objects.create(
        setting=w.setting_a,
        child=w.child,
        kind="summative",
        term=_term(w.setting_a),
        status="draft",
        period_start=date(2026, 1, 5),
        period_end=date(2026, 3, 31),
        summary="A draft nobody outside should see.",
    )
    return w


def _term(setting):
    from acorn.eyfs.models import Term

    return Term.objects.create(
        setting=setting, name="Spring", starts_on=date(2026, 1, 5), ends_on=date(2026, 3, 31)
    )

from datetime import timedelta

from django.utils import timezone

from acorn.eyfs.models import Term
from acorn.eyfs.services import assessment_replace


def this_term(setting):
    today = timezone.localdate()
    return Term.objects.create(
        setting=setting,
        name="This term",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=30),
    )


def judge(child, term, by, judgements):
    return assessment_replace(child=child, term=term, judgements=judgements, assessed_by=by)


def scene(seed: int, size=(800, 600)):
    """A made-up picture (sky, grass, sun and blocks), so example PDFs look like photos
    without anyone's photo in them."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, (150 + rng.randint(0, 60), 200, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 0.62, width, height], fill=(110, 170 + rng.randint(0, 30), 90))
    sun = rng.randint(60, width - 60)
    draw.ellipse([sun - 45, 40, sun + 45, 130], fill=(250, 210, 90))
    for _ in range(rng.randint(3, 6)):
        x = rng.randint(40, width - 140)
        w, h = rng.randint(50, 110), rng.randint(50, 150)
        colour = rng.choice([(220, 90, 80), (70, 120, 200), (240, 180, 60), (120, 80, 170)])
        draw.rounded_rectangle([x, height * 0.7 - h, x + w, height * 0.7], 10, fill=colour)
    return image


def ready_photo(uploader, setting, colour=(200, 120, 40), image=None):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from acorn.journal.media import media_process, media_upload

    buffer = BytesIO()
    (image or Image.new("RGB", (320, 240), colour)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    item = media_upload(uploader=uploader, setting=setting, uploaded_file=upload)
    media_process(item.pk)
    item.refresh_from_db()
    assert item.status == "ready", item.failure_message
    return item


def observe_with_photo(
    author, children, text, *, appears=None, areas=("CL",), next_steps="", image=None
):
    from acorn.journal import services as journal

    photo = ready_photo(author, children[0].setting, image=image)
    return journal.observation_create(
        author=author,
        children=children,
        text=text,
        observed_on=timezone.localdate(),
        areas=list(areas),
        next_steps=next_steps,
        publish=True,
        media=[journal.MediaChoice(media=photo, appears=appears or children)],
    ), photo

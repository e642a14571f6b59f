"""The journal feed gives each screen the right size of photo (issue 14): the thumbnail
for a phone's grid, the display rendition for an iPad or a single large photo."""

import re
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from acorn.journal import services
from acorn.journal.media import media_upload
from acorn.media_processing.tests import samples


def _photo_entry(world, tmp_path, size, django_capture_on_commit_callbacks):
    path = samples.noisy_jpeg(tmp_path / "p.jpg", size)
    with django_capture_on_commit_callbacks(execute=True):
        item = media_upload(
            uploader=world.key_person,
            setting=world.setting_a,
            uploaded_file=SimpleUploadedFile("p.jpg", path.read_bytes()),
        )
    services.observation_create(
        author=world.key_person,
        children=[world.child],
        text="Xander found a snail.",
        observed_on=date.today(),
        media=[services.MediaChoice(media=item)],
        publish=True,
    )
    item.refresh_from_db()
    return item


def test_parents_feed_offers_thumbnail_and_display_rendition_by_width(
    world, web, tmp_path, django_capture_on_commit_callbacks
):
    item = _photo_entry(world, tmp_path, (2000, 1500), django_capture_on_commit_callbacks)
    page = web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    srcset = re.search(r'<img[^>]*srcset="([^"]+)"', page).group(1)
    assert f"/media/{item.pk}/thumb 400w" in srcset
    assert f"/media/{item.pk}/display 1600w" in srcset
    assert re.search(r'<img[^>]*sizes="[^"]+"', page)


def test_a_portrait_photo_states_its_real_rendition_widths(
    world, web, tmp_path, django_capture_on_commit_callbacks
):
    item = _photo_entry(world, tmp_path, (1500, 2000), django_capture_on_commit_callbacks)
    page = web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    srcset = re.search(r'<img[^>]*srcset="([^"]+)"', page).group(1)
    assert f"/media/{item.pk}/thumb 300w" in srcset
    assert f"/media/{item.pk}/display 1200w" in srcset

"""On an iPad: aspect and characteristic chips on the capture page (issue 10), a video's
"Processing…" then its poster frame while composing, and changing an entry's children
and photos on the edit page, then reading its history (issue 14)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from acorn.journal.models import CaptureDraft, MediaItem, Observation
from acorn.media_processing.tests import samples

from .conftest import IPAD
from .test_first_journey import sign_in

pytestmark = pytest.mark.e2e


def test_aspect_and_characteristic_chips_on_the_capture_page(new_page, willow):
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto("/observations/new")
    ipad.locator("label.child-tile", has_text="Ada").click()
    ipad.get_by_label("What happened?").fill("Ada told us all about her weekend.")
    speaking = ipad.locator("label.chip-option", has_text="Speaking")
    expect(speaking).to_be_hidden()  # no aspects until an area is chosen: no extra step
    ipad.locator("label.chip-option", has_text="Communication and language").click()
    expect(speaking).to_be_visible()
    box = speaking.bounding_box()
    assert box["height"] >= 44  # a finger's tap target
    speaking.click()
    ipad.locator("label.chip-option", has_text="Playing and exploring").click()
    # The autosaved draft keeps the chips too (saved a second after the last tap).
    for _ in range(40):
        draft = CaptureDraft.objects.first()
        if draft is not None and draft.characteristics:
            break
        ipad.wait_for_timeout(250)
    assert draft.aspects == ["CL-S"] and draft.characteristics == ["playing_and_exploring"]

    ipad.get_by_role("button", name="Publish").click()
    expect(ipad.get_by_text("Published. Parents can see it now.")).to_be_visible()
    entry = Observation.objects.get()
    assert entry.aspects == ["CL-S"]
    assert entry.characteristics == ["playing_and_exploring"]
    assert entry.areas == ["CL"]
    expect(ipad.locator(".chip-aspect", has_text="Speaking")).to_be_visible()
    expect(ipad.locator(".chip-characteristic", has_text="Playing and exploring")).to_be_visible()


def test_a_video_shows_processing_then_its_poster_while_composing(
    new_page, willow, tmp_path, settings
):
    from acorn.journal.media import media_process

    # The worker is held back, so the page sees the video still processing.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    video = samples.clip(tmp_path / "IMG_0001.mp4", seconds=1, audio=False)
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto("/observations/new")
    ipad.locator("#media-files").set_input_files(str(video))
    item = ipad.locator(".upload-item[data-id]")
    expect(item).to_have_count(1, timeout=30_000)
    expect(item).to_contain_text("processing")
    expect(item.locator("img")).to_have_count(0)
    media_process(MediaItem.objects.get().pk)  # the worker finishes
    poster = item.locator("img")
    expect(poster).to_be_visible(timeout=20_000)
    ipad.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=poster.element_handle()
    )
    expect(item).to_contain_text("Video added")
    expect(item).not_to_contain_text("processing")


def test_edit_an_entrys_children_and_photos_then_read_its_history(new_page, willow, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from acorn.journal import services
    from acorn.journal.media import media_upload

    path = samples.noisy_jpeg(tmp_path / "a.jpg", (480, 360))
    photo = media_upload(
        uploader=willow["key_person"],
        setting=willow["setting"],
        uploaded_file=SimpleUploadedFile("a.jpg", path.read_bytes()),
    )
    entry = services.observation_create(
        author=willow["key_person"],
        children=[willow["ada"]],
        text="Ada built a tall tower.",
        observed_on=date.today(),
        media=[services.MediaChoice(media=photo)],
        publish=True,
    )
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto(f"/observations/{entry.pk}/edit")
    ipad.locator("label.child-tile", has_text="Ben").click()
    # Ben has no photo consent: the page says where the photo won't appear.
    expect(ipad.locator(".appear-note")).to_contain_text(
        "Not in Ada's journal: Ben has no photo consent."
    )
    ipad.locator("#media-files").set_input_files(str(samples.noisy_jpeg(tmp_path / "b.jpg")))
    expect(ipad.locator(".upload-item[data-id]")).to_have_count(2, timeout=30_000)
    ipad.locator(f".upload-item[data-id='{photo.pk}']").get_by_role("button", name="Remove").click()
    expect(ipad.locator(".upload-item[data-id]")).to_have_count(1)
    ipad.get_by_label("What happened?").fill("Ada and Ben built a wobbly tower.")
    ipad.get_by_role("button", name="Save changes").click()
    expect(ipad.get_by_text("Your changes are saved.")).to_be_visible()

    entry.refresh_from_db()
    assert {c.first_name for c in entry.children.all()} == {"Ada", "Ben"}
    assert not MediaItem.objects.filter(pk=photo.pk).exists()
    assert entry.media.count() == 1

    ipad.get_by_role("link", name="See what changed").click()
    expect(ipad.get_by_role("heading", name="History of this entry")).to_be_visible()
    expect(ipad.locator("ins", has_text="wobbly")).to_be_visible()
    expect(ipad.locator("del", has_text="tall")).to_be_visible()
    expect(ipad.get_by_text("added Ben Birch")).to_be_visible()
    expect(ipad.get_by_text("added a photo; removed a photo")).to_be_visible()

"""Group photos for everyone (C-2) on an iPad: staff mark the face of a child without photo
consent in two taps (or draw a box round a face Acorn missed), and the other children's
families then see the photo with that face hidden."""

import re
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from acorn.journal import services
from acorn.journal.media import media_upload
from acorn.journal.models import MediaItem, ObscuredFace, Observation, SharedRendition
from acorn.media_processing.tests import samples
from acorn.media_processing.tests.group_pictures import GROUPS, compose

from .conftest import IPAD, PHONE
from .test_first_journey import sign_in

pytestmark = pytest.mark.e2e


def _stored(item, rendition) -> bytes:
    """A stored file; `shared_…` is the copy every other family gets (Ben's face hidden)."""
    item.refresh_from_db()
    if rendition.startswith("shared_"):
        files = SharedRendition.objects.get(media=item, kept=[]).renditions
        name = files[rendition.removeprefix("shared_")]
    else:
        name = item.renditions[rendition]
    with default_storage.open(f"{item.storage_prefix}/{name}") as stored:
        return stored.read()


def _parent_sees_the_obscured_photo(new_page, item):
    phone = new_page(PHONE)
    sign_in(phone, "anna@home.test")
    expect(phone.get_by_role("heading", name="Ada's journal")).to_be_visible()
    image = phone.locator(".gallery img").first
    expect(image).to_be_visible()
    phone.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    served = phone.request.get(image.get_attribute("src")).body()
    assert served == _stored(item, "shared_thumb")
    assert served != _stored(item, "thumb")


def test_marking_a_childs_face_on_the_entry_page_takes_two_taps(new_page, willow, tmp_path):
    picture, _ = compose(*GROUPS[0])
    picture.save(tmp_path / "group.jpg", quality=92)
    item = media_upload(
        uploader=willow["key_person"],
        setting=willow["setting"],
        uploaded_file=SimpleUploadedFile("group.jpg", (tmp_path / "group.jpg").read_bytes()),
    )
    entry = services.observation_create(
        author=willow["key_person"],
        children=[willow["ada"], willow["ben"]],
        text="Ada and Ben built a den together.",
        observed_on=date.today(),
        media=[services.MediaChoice(media=item)],
        publish=True,
    )
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto(f"/observations/{entry.pk}/")
    expect(
        ipad.get_by_text("Not shown in Ada's journal: Ben has no photo consent.")
    ).to_be_visible()
    expect(ipad.get_by_text("Tap Ben\u2019s face so we can hide it")).to_be_visible()
    faces = ipad.locator(".face-box")
    expect(faces).to_have_count(3)
    # The photo and its faces fit the iPad's width.
    stage = ipad.locator(".face-stage").bounding_box()
    assert stage["x"] >= 0 and stage["x"] + stage["width"] <= IPAD["width"]

    taps = []
    item.refresh_from_db()
    ben_face = next(i for i, face in enumerate(item.faces) if face["box"][0] > 0.4)
    taps.append("tap Ben's face")
    ipad.get_by_role("button", name=f"Face {ben_face + 1}", exact=True).click()
    taps.append("tap Ben")
    ipad.locator(".face-choices").get_by_role("button", name="Ben").click()
    expect(
        ipad.get_by_text(re.compile("other families see this photo with Ben\u2019s"))
    ).to_be_visible()
    expect(ipad.get_by_role("button", name="Ben\u2019s face")).to_be_visible()
    assert len(taps) == 2
    expect(ipad.get_by_text("Not shown in Ada's journal")).to_have_count(0)

    assert list(ObscuredFace.objects.filter(media=item).values_list("child_id", flat=True)) == [
        willow["ben"].pk
    ]
    ipad.screenshot(path=str(tmp_path / "marked.png"))
    _parent_sees_the_obscured_photo(new_page, item)
    # Once drawn, the entry page says so.
    ipad.reload()
    expect(
        ipad.get_by_text("Parents see it in Ada's journal with Ben's face hidden.")
    ).to_be_visible()


def test_a_face_the_detector_missed_is_drawn_on_the_capture_page(new_page, willow, tmp_path):
    photo = samples.noisy_jpeg(tmp_path / "IMG_2001.jpg", (1200, 900))
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto("/observations/new")
    ipad.locator("#media-files").set_input_files(str(photo))
    expect(ipad.locator(".upload-item[data-id]")).to_have_count(1, timeout=30_000)
    ipad.locator("label.child-tile", has_text="Ada").click()
    ipad.locator("label.child-tile", has_text="Ben").click()
    expect(ipad.get_by_text("Tap Ben\u2019s face so we can hide it")).to_be_visible()
    expect(ipad.locator(".face-box")).to_have_count(0)

    ipad.get_by_role("button", name="Draw a box round a face").click()
    expect(ipad.get_by_text("Drag a box round the face.")).to_be_visible()
    stage = ipad.locator(".face-stage").bounding_box()
    left, top = stage["x"] + stage["width"] * 0.3, stage["y"] + stage["height"] * 0.3
    ipad.mouse.move(left, top)
    ipad.mouse.down()
    ipad.mouse.move(left + stage["width"] * 0.1, top + stage["height"] * 0.1, steps=5)
    ipad.mouse.move(left + stage["width"] * 0.2, top + stage["height"] * 0.2, steps=5)
    ipad.mouse.up()
    expect(ipad.get_by_text("Whose face is this?").first).to_be_visible()
    ipad.locator(".face-choices").get_by_role("button", name="Ben").click()
    expect(ipad.get_by_role("button", name="Ben\u2019s face")).to_be_visible()
    expect(ipad.get_by_text(re.compile("^Saved"))).to_be_visible()

    ipad.get_by_role("button", name="Publish").click()
    expect(ipad.get_by_text("Published. Parents can see it now.")).to_be_visible()
    item = MediaItem.objects.get()
    assert Observation.objects.get().media.get() == item
    (face,) = item.faces
    assert face["child"] == str(willow["ben"].pk) and face["found"] is False
    assert face["box"][0] == pytest.approx(0.3, abs=0.03)
    assert face["box"][2] == pytest.approx(0.2, abs=0.03)
    assert ObscuredFace.objects.filter(media=item, child=willow["ben"]).exists()
    _parent_sees_the_obscured_photo(new_page, item)

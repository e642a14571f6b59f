"""The photo viewer, a child's photos and the journal's filters on real screens (issue
14): a parent opens a photo on an iPad, moves through the entry's photos and video by
keyboard and by swiping, closes it and is back where they were; the journal on a desktop
uses the width; on a phone the filters fold behind "Filter". Saves the screenshots in
docs/screenshots/."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from acorn.core.tests import factories as f
from acorn.journal import services
from acorn.journal.media import media_upload
from acorn.media_processing.tests import samples

from .conftest import DESKTOP, IPAD, PHONE
from .test_first_journey import sign_in

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _picture(path: Path, sky, ground, sun, size=(1600, 1200)) -> Path:
    """A garden drawn with Pillow: sky, grass, a sun and a flower bed."""
    width, height = size
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, int(height * 0.62), width, height], fill=ground)
    draw.ellipse([width * 0.7, height * 0.1, width * 0.85, height * 0.1 + width * 0.15], fill=sun)
    for n in range(9):
        x = width * (0.08 + n * 0.1)
        draw.line([x, height * 0.78, x, height * 0.9], fill=(40, 110, 50), width=8)
        colour = [(230, 80, 90), (250, 200, 60), (150, 90, 200)][n % 3]
        draw.ellipse([x - 28, height * 0.78 - 28, x + 28, height * 0.78 + 28], fill=colour)
    image.save(path, quality=88)
    return path


@pytest.fixture
def nursery(transactional_db, tmp_path, django_capture_on_commit_callbacks):
    setting = f.SettingFactory(name="Willow Nursery")
    key_person = f.staff(setting, "practitioner", name="Kim Key", email="kim@willow.test")
    ada = f.ChildFactory(setting=setting, first_name="Ada", last_name="Ash", key_person=key_person)
    f.parent_of(ada, name="Anna Ash", email="anna@home.test")

    def upload(path):
        return media_upload(
            uploader=key_person,
            setting=setting,
            uploaded_file=SimpleUploadedFile(path.name, path.read_bytes()),
        )

    colours = [
        ((150, 200, 240), (110, 180, 90), (255, 214, 90)),
        ((240, 190, 150), (90, 150, 80), (255, 240, 200)),
        ((120, 170, 230), (130, 190, 100), (255, 190, 70)),
    ]
    photos = [upload(_picture(tmp_path / f"garden-{n}.jpg", *c)) for n, c in enumerate(colours)]
    video = upload(samples.clip(tmp_path / "snail.mp4", seconds=1))
    entry = services.observation_create(
        author=key_person,
        children=[ada],
        text="Ada planted sunflower seeds in the garden and watered them carefully.",
        observed_on=date.today(),
        areas=["UW", "PD"],
        next_steps="Measure the sunflowers each week.",
        media=[services.MediaChoice(media=m) for m in [*photos, video]],
        publish=True,
    )
    for n in range(3):
        services.observation_create(
            author=key_person,
            children=[ada],
            text=["Ada counted five ducks.", "Ada sang a song.", "Ada built a tower."][n % 3],
            observed_on=date.today() - timedelta(days=n + 1),
            areas=[["M"], ["CL"], ["PD"]][n % 3],
            media=[
                services.MediaChoice(
                    media=upload(_picture(tmp_path / f"d{n}.jpg", *colours[n % 3]))
                )
            ]
            if n == 0
            else [],
            publish=True,
        )
    return {"ada": ada, "entry": entry, "photos": photos, "video": video}


def _swipe(page, dx):
    """A real touch swipe across the middle of the screen (Chrome's input protocol)."""
    session = page.context.new_cdp_session(page)
    size = page.viewport_size
    x, y = size["width"] / 2, size["height"] / 2
    steps = 6
    session.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    for step in range(1, steps + 1):
        point = {"x": x + dx * step / steps, "y": y}
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def _focus_inside_viewer(page) -> bool:
    return page.evaluate("() => !!document.activeElement.closest('.viewer')")


def test_parent_opens_moves_through_and_closes_the_viewer_on_an_ipad(new_page, nursery):
    ipad = new_page(IPAD, has_touch=True)
    sign_in(ipad, "anna@home.test")
    ipad.goto(f"/children/{nursery['ada'].pk}/journal")
    first = ipad.locator("a.media-photo").first
    expect(first).to_be_visible()
    first.click()

    dialog = ipad.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 1 of 4")
    expect(dialog.locator(".viewer-caption")).to_have_text(date.today().strftime("%A %-d %B %Y"))
    image = dialog.locator("img.viewer-media")
    expect(image).to_have_attribute(
        "alt", "Photo: Ada planted sunflower seeds in the garden and watered them carefully."
    )
    ipad.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    # The display copy for an iPad's width, chosen by srcset and sizes.
    assert "/display" in image.evaluate("img => img.currentSrc")
    assert "/thumb" in image.get_attribute("srcset")
    close = dialog.get_by_role("button", name="Close")
    box = close.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    assert ipad.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Close"
    # The page behind can't be reached.
    for _ in range(6):
        ipad.keyboard.press("Tab")
        assert _focus_inside_viewer(ipad)

    ipad.keyboard.press("ArrowRight")
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 2 of 4")
    ipad.keyboard.press("ArrowLeft")
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 1 of 4")
    _swipe(ipad, -250)
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 2 of 4")
    _swipe(ipad, -250)
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 3 of 4")
    _swipe(ipad, 250)
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 2 of 4")
    image = dialog.locator("img.viewer-media")
    ipad.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ipad.screenshot(path=str(SCREENSHOTS / "journal-viewer-ipad.png"))

    # The entry's video plays in the viewer, with controls.
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.locator(".viewer-title")).to_have_text("Video 4 of 4")
    video = dialog.locator("video.viewer-media")
    expect(video).to_have_attribute("controls", "")
    assert video.get_attribute("src") == f"/media/{nursery['video'].pk}/display"
    expect(dialog.get_by_role("button", name="Next")).to_be_hidden()

    ipad.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Focus is back on the photo that opened it, and the page works again.
    assert ipad.evaluate("() => document.activeElement.classList.contains('media-photo')")
    assert ipad.evaluate("() => !document.querySelector('main').inert")


def test_a_childs_photos_open_in_the_viewer_with_a_way_to_the_entry(new_page, nursery):
    ipad = new_page(IPAD)
    sign_in(ipad, "anna@home.test")
    ipad.goto(f"/children/{nursery['ada'].pk}/journal")
    ipad.get_by_role("link", name="Ada's photos").click()
    expect(ipad.get_by_role("heading", name="Ada's photos and videos")).to_be_visible()
    tiles = ipad.locator("a.photo-tile")
    expect(tiles).to_have_count(5)
    tiles.nth(1).click()
    dialog = ipad.get_by_role("dialog")
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 2 of 5")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    # A phone's Back closes the viewer and stays on the page.
    tiles.nth(2).click()
    expect(dialog.locator(".viewer-title")).to_have_text("Photo 3 of 5")
    ipad.go_back()
    expect(dialog).to_be_hidden()
    expect(ipad.get_by_role("heading", name="Ada's photos and videos")).to_be_visible()
    tiles.nth(0).click()
    dialog.get_by_role("link", name="Open the entry").click()
    expect(ipad).to_have_url(re.compile(rf"/observations/{nursery['entry'].pk}/$"))


def test_without_javascript_a_photo_opens_its_page_inside_acorn(new_page, nursery):
    phone = new_page(PHONE, java_script_enabled=False)
    sign_in(phone, "anna@home.test")
    phone.goto(f"/children/{nursery['ada'].pk}/journal")
    phone.locator("a.media-photo").first.click()
    expect(phone.get_by_text("Photo 1 of 4")).to_be_visible()
    phone.get_by_role("link", name="Next").click()
    expect(phone.get_by_text("Photo 2 of 4")).to_be_visible()
    phone.get_by_role("link", name="Back to the entry").click()
    expect(phone).to_have_url(re.compile(rf"/observations/{nursery['entry'].pk}/$"))


def test_desktop_journal_uses_the_width_and_phone_folds_the_filters(new_page, nursery):
    desktop = new_page(DESKTOP)
    sign_in(desktop, "anna@home.test")
    desktop.goto(f"/children/{nursery['ada'].pk}/journal")
    feed = desktop.locator(".journal-main").bounding_box()
    side = desktop.locator(".journal-side").bounding_box()
    # The side column (summary, filters) sits beside a wide feed.
    assert side["x"] >= feed["x"] + feed["width"]
    assert feed["width"] >= 700
    filters = desktop.locator("details.journal-filters")
    expect(filters).to_have_attribute("open", "")
    desktop.get_by_label("Area of learning").select_option("M")
    desktop.get_by_role("button", name="Show entries").click()
    expect(desktop.locator("article.entry")).to_have_count(1)
    expect(desktop.get_by_text("Ada counted five ducks.")).to_be_visible()
    desktop.goto(f"/children/{nursery['ada'].pk}/journal")
    desktop.wait_for_function(
        "() => [...document.querySelectorAll('.journal-main img')].slice(0, 3)"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desktop.screenshot(path=str(SCREENSHOTS / "journal-desktop.png"))

    phone = new_page(PHONE)
    sign_in(phone, "anna@home.test")
    phone.goto(f"/children/{nursery['ada'].pk}/journal")
    search = phone.get_by_label("Search the entries")
    expect(search).to_be_hidden()
    phone.get_by_text("Filter", exact=True).click()
    search.fill("ducks")
    phone.get_by_role("button", name="Show entries").click()
    expect(phone).to_have_url(re.compile(r"/journal\?q=ducks&area=&since=&until=$"))
    expect(phone.locator("article.entry")).to_have_count(1)
    # Bookmarkable: the same address shows the same entries, filters open and filled in.
    expect(phone.locator("details.journal-filters")).to_have_attribute("open", "")
    expect(search).to_have_value("ducks")

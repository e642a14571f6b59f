"""The journal on real screens: capture on an iPad, a parent replying on a phone, and
contributions from home approved and rejected."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from acorn.core.tests import factories as f
from acorn.journal import services
from acorn.journal.media import media_upload
from acorn.journal.models import Observation
from acorn.media_processing.tests import samples

from .conftest import IPAD, PHONE
from .test_first_journey import sign_in

pytestmark = pytest.mark.e2e


def assert_loaded(page, image):
    """The picture really arrived (not just an <img> tag): its pixels decoded."""
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


@pytest.fixture
def nursery(transactional_db):
    setting = f.SettingFactory(name="Willow Nursery")
    key_person = f.staff(setting, "practitioner", name="Kim Key", email="kim@willow.test")
    manager = f.staff(setting, "manager", name="Sam Manager", email="sam@willow.test")
    ada = f.ChildFactory(setting=setting, first_name="Ada", last_name="Ash", key_person=key_person)
    ben = f.ChildFactory(
        setting=setting, first_name="Ben", last_name="Birch", key_person=key_person
    )
    ada_parent = f.parent_of(ada, name="Anna Ash", email="anna@home.test")
    ben_parent = f.parent_of(ben, name="Bob Birch", email="bob@home.test")
    return locals()


def test_capture_a_photo_for_two_children_in_six_interactions(new_page, nursery, tmp_path):
    photo = samples.jpeg_with_everything(tmp_path / "IMG_1001.jpg")
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    expect(ipad.get_by_role("heading", name="Children")).to_be_visible()

    interactions = []

    def act(name, action):
        interactions.append(name)
        action()

    act(
        "tap New observation",
        lambda: ipad.get_by_role("link", name="New observation").first.click(),
    )
    act("tap Add photos or video", lambda: None)  # opens the camera or library
    act("choose the photo", lambda: ipad.locator("#media-files").set_input_files(str(photo)))
    expect(ipad.locator(".upload-item[data-id]")).to_have_count(1, timeout=30_000)
    act("tap Ada", lambda: ipad.locator("label.child-tile", has_text="Ada").click())
    act("tap Ben", lambda: ipad.locator("label.child-tile", has_text="Ben").click())
    act("tap Publish", lambda: ipad.get_by_role("button", name="Publish").click())
    expect(ipad.get_by_text("Published. Parents can see it now.")).to_be_visible()
    assert len(interactions) <= 6, interactions

    observation = Observation.objects.get()
    assert observation.status == "published"
    assert {c.first_name for c in observation.children.all()} == {"Ada", "Ben"}
    assert observation.media.count() == 1
    # The photo is on the page, served through the authorised route.
    image = ipad.locator(".gallery img").first
    expect(image).to_be_visible()
    assert_loaded(ipad, image)


def test_capture_draft_survives_a_closed_tab_and_a_lost_connection(new_page, nursery):
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto("/observations/new")
    ipad.locator("label.child-tile", has_text="Ada").click()
    ipad.get_by_label("What happened?").fill("Ada poured water from jug to jug.")
    ipad.close()  # the tab is closed before publishing

    again = ipad.context.new_page()
    again.goto("/observations/new")
    # Offered back, saying who it is about; nothing is filled in until Kim chooses it.
    expect(again.get_by_text("About Ada A.")).to_be_visible()
    expect(again.locator("#child-" + str(nursery["ada"].pk))).not_to_be_checked()
    again.get_by_role("link", name="Carry on with it").click()
    expect(
        again.get_by_text("You're carrying on with what you hadn't sent about Ada A.")
    ).to_be_visible()
    expect(again.get_by_label("What happened?")).to_have_value("Ada poured water from jug to jug.")
    expect(again.locator("#child-" + str(nursery["ada"].pk))).to_be_checked()

    again.context.set_offline(True)
    again.get_by_role("button", name="Publish").click()
    expect(again.get_by_text("You seem to be offline")).to_be_visible()
    assert Observation.objects.count() == 0
    again.context.set_offline(False)
    expect(again.get_by_text("Published. Parents can see it now.")).to_be_visible()
    assert Observation.objects.count() == 1
    again.goto("/observations/new")
    expect(again.get_by_label("What happened?")).to_have_value("")
    expect(again.get_by_text("Not sent yet")).to_have_count(0)


def _published_photo_entry(nursery, tmp_path):
    path = samples.noisy_jpeg(tmp_path / "p.jpg", (480, 360))
    item = media_upload(
        uploader=nursery["key_person"],
        setting=nursery["setting"],
        uploaded_file=SimpleUploadedFile("p.jpg", path.read_bytes()),
    )
    return services.observation_create(
        author=nursery["key_person"],
        children=[nursery["ada"]],
        text="Ada found a snail in the garden.",
        observed_on=date.today(),
        media=[services.MediaChoice(media=item)],
        publish=True,
    )


def test_parent_views_the_journal_and_replies(new_page, nursery, tmp_path):
    entry = _published_photo_entry(nursery, tmp_path)
    phone = new_page(PHONE)
    sign_in(phone, "anna@home.test")
    expect(phone.get_by_role("heading", name="Ada's journal")).to_be_visible()
    expect(phone.get_by_text("Ada found a snail in the garden.")).to_be_visible()
    image = phone.locator(".gallery img").first
    expect(image).to_be_visible()
    assert_loaded(phone, image)
    phone.get_by_role("link", name="Open entry and replies").click()
    expect(phone.get_by_text("face to face")).to_be_visible()
    phone.get_by_label("Your reply").fill("She talked about the snail all evening!")
    phone.get_by_role("button", name="Send reply").click()
    expect(phone.get_by_text("She talked about the snail all evening!")).to_be_visible()

    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto(f"/observations/{entry.pk}/")
    expect(ipad.get_by_text("She talked about the snail all evening!")).to_be_visible()
    ipad.get_by_label("Your reply").fill("We'll look for more snails tomorrow.")
    ipad.get_by_role("button", name="Send reply").click()
    expect(ipad.get_by_text("Your reply has been added.")).to_be_visible()
    phone.reload()
    expect(phone.get_by_text("We'll look for more snails tomorrow.")).to_be_visible()

    # Ben's dad sees neither the entry nor the photo.
    other = new_page(PHONE)
    sign_in(other, "bob@home.test")
    assert other.goto(f"/observations/{entry.pk}/").status == 404
    media_id = entry.media.get().pk
    assert other.goto(f"/media/{media_id}/display").status == 404


def test_contributions_from_home_approved_and_rejected(new_page, nursery, tmp_path):
    photo = samples.noisy_jpeg(tmp_path / "beach.jpg", (640, 480))
    phone = new_page(PHONE)
    sign_in(phone, "anna@home.test")
    phone.get_by_role("link", name="Add something from home").click()
    phone.locator("#media-files").set_input_files(str(photo))
    expect(phone.locator(".upload-item[data-id]")).to_have_count(1, timeout=30_000)
    phone.get_by_label("What did your child do?").fill("Ada built a sandcastle at the beach.")
    phone.get_by_role("button", name="Send to Kim Key").click()
    expect(phone.get_by_text("will look at it")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    phone.get_by_role("link", name="Back to Ada's journal").click()
    phone.get_by_role("link", name="Add something from home").click()
    phone.get_by_label("What did your child do?").fill("Party photo with all her friends.")
    phone.get_by_role("button", name="Send to Kim Key").click()
    expect(phone.get_by_text("will look at it")).to_be_visible()

    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.get_by_role("link", name="From home").click()
    ipad.get_by_role("link", name="Open entry and replies").first.click()
    expect(ipad.get_by_text("Ada built a sandcastle at the beach.")).to_be_visible()
    ipad.get_by_role("button", name="Add to the journal").click()
    expect(ipad.get_by_text("Added to the journal")).to_be_visible()
    ipad.get_by_role("link", name="Open entry and replies").first.click()
    expect(ipad.get_by_text("Party photo with all her friends.")).to_be_visible()
    ipad.get_by_text("Not right for the journal?").click()  # the reason is folded away
    ipad.get_by_label("Reason (the parent will see this)").fill(
        "It shows other children, so we can't add it. Thank you for sharing!"
    )
    ipad.get_by_role("button", name="Don't add it").click()
    expect(ipad.get_by_text("Not added")).to_be_visible()

    phone.goto(f"/children/{nursery['ada'].pk}/journal")
    expect(phone.get_by_text("Ada built a sandcastle at the beach.")).to_be_visible()
    expect(phone.get_by_text("It shows other children, so we can't add it.")).to_be_visible()
    statuses = dict(Observation.objects.values_list("text", "status"))
    assert statuses == {
        "Ada built a sandcastle at the beach.": "published",
        "Party photo with all her friends.": "rejected",
    }
    other = new_page(PHONE)
    sign_in(other, "bob@home.test")
    expect(other.get_by_text("sandcastle")).to_have_count(0)


def test_capture_warns_where_a_photo_will_not_appear(new_page, nursery, tmp_path):
    from acorn.children.consent import consent_record

    consent_record(
        parent=nursery["ben_parent"], child=nursery["ben"], given=False, signature_name="Bob Birch"
    )
    ipad = new_page(IPAD)
    sign_in(ipad, "kim@willow.test")
    ipad.goto("/observations/new")
    ben_tile = ipad.locator("label.child-tile", has_text="Ben")
    expect(ben_tile.get_by_text("No photo consent")).to_be_visible()
    ipad.locator("#media-files").set_input_files(str(samples.noisy_jpeg(tmp_path / "a.jpg")))
    expect(ipad.locator(".upload-item[data-id]")).to_have_count(1, timeout=30_000)
    ipad.locator("label.child-tile", has_text="Ada").click()
    ben_tile.click()
    note = ipad.locator(".appear-note")
    expect(note).to_contain_text("Photos will appear in Ben's journal.")
    expect(note).to_contain_text("Not in Ada's journal: Ben has no photo consent.")


def test_a_processing_photo_appears_by_itself_when_ready(new_page, nursery, tmp_path, settings):
    from acorn.journal.media import media_process

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    path = samples.noisy_jpeg(tmp_path / "slow.jpg", (480, 360))
    item = media_upload(
        uploader=nursery["key_person"],
        setting=nursery["setting"],
        uploaded_file=SimpleUploadedFile("slow.jpg", path.read_bytes()),
    )
    services.observation_create(
        author=nursery["key_person"],
        children=[nursery["ada"]],
        text="Ada and the big puddle.",
        observed_on=date.today(),
        media=[services.MediaChoice(media=item)],
        publish=True,
    )
    phone = new_page(PHONE)
    sign_in(phone, "anna@home.test")
    expect(phone.get_by_text("Photo still processing")).to_be_visible()
    media_process(item.pk)  # the worker finishes
    image = phone.locator(".gallery img").first
    expect(image).to_be_visible(timeout=20_000)
    assert_loaded(phone, image)

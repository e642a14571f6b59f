"""Small usability fixes from issue 14: wording that says what is needed, Acorn's own
error for an empty reply, review and From home that name the child, and long text."""

import re

import pytest
import time_machine

from acorn.core.tests import factories as f
from acorn.journal.models import Comment


def _text_field(page):
    return page.split('for="id_text"')[1].split("</div>")[0]


@pytest.mark.parametrize(
    ("viewer", "path"),
    [("key_person", "/observations/new"), ("parent", "/children/{child}/contribute")],
)
def test_capture_text_says_text_or_a_photo_is_needed_not_optional(world, web, viewer, path):
    page = web(getattr(world, viewer)).get(path.format(child=world.child.pk)).content.decode()
    field = _text_field(page)
    assert "(optional)" not in field
    assert "text or a photo" in field.lower()


def _reply_form(page, child):
    return page.split(f'id="reply-form-{child.pk}"')[1].split("</form>")[0]


@pytest.mark.parametrize("viewer", ["parent", "key_person"])
def test_empty_reply_shows_acorns_own_error_beside_the_box(world, web, viewer):
    obs = f.observation(author=world.key_person, children=[world.child])
    client = web(getattr(world, viewer))
    page = client.get(f"/observations/{obs.pk}/").content.decode()
    box = re.search(r"<textarea[^>]*name=\"text\"[^>]*>", _reply_form(page, world.child)).group(0)
    assert " required" not in box
    response = client.post(
        f"/observations/{obs.pk}/replies", {"text": "  ", "child": str(world.child.pk)}, follow=True
    )
    form = _reply_form(response.content.decode(), world.child)
    error = re.search(rf'<p class="error" id="reply-{world.child.pk}_error">([^<]+)</p>', form)
    assert error and "Write a reply" in error.group(1)
    box = re.search(r"<textarea[^>]*>", form).group(0)
    assert f'aria-describedby="reply-{world.child.pk}_error"' in box
    assert not Comment.objects.filter(observation=obs).exists()
    # Shown once: the next visit is clean.
    again = client.get(f"/observations/{obs.pk}/").content.decode()
    assert "_error" not in _reply_form(again, world.child)


def _cards(page):
    return page.split('<div class="feed">')[1].split("<article")[1:]


def test_review_cards_name_the_child_and_newest_come_first(world, web):
    with time_machine.travel("2026-11-02 09:00Z", tick=False):
        older = f.observation(author=world.key_person, children=[world.child], text="Older one.")
    with time_machine.travel("2026-11-03 09:00Z", tick=False):
        newer = f.observation(
            author=world.key_person, children=[world.other_child], text="Newer one."
        )
    page = web(world.manager).get("/review/").content.decode()
    assert page.index("Newer one.") < page.index("Older one.")
    cards = _cards(page)
    assert "Yasmin" in cards[0] and "Xander" in cards[1]
    assert older.pk and newer.pk


def test_manager_is_not_offered_her_own_entries_for_review(world, web):
    f.observation(author=world.manager, children=[world.child], text="Mine to share.")
    f.observation(author=world.key_person, children=[world.child], text="Kate's entry.")
    for show in ("", "?show=all"):
        page = web(world.manager).get("/review/" + show).content.decode()
        assert "Kate&#x27;s entry." in page or "Kate's entry." in page
        assert "Mine to share." not in page


def test_from_home_cards_name_the_child(world, web):
    f.observation(
        author=world.parent,
        children=[world.child],
        status="pending",
        by_parent=True,
        text="Rock pooling.",
    )
    page = web(world.key_person).get("/observations/waiting").content.decode()
    card = _cards(page)[0]
    assert "Rock pooling." in card and "Xander" in card


def test_approval_reason_box_is_not_between_the_two_buttons(world, web):
    obs = f.observation(
        author=world.parent, children=[world.child], status="pending", by_parent=True
    )
    page = web(world.key_person).get(f"/observations/{obs.pk}/").content.decode()
    approve = page.index('value="approve"')
    reject = page.index('value="reject"')
    reason = page.index('name="reason"')
    assert approve < reject
    assert not approve < reason < reject or page.index("<details", approve) < reason
    # The reason sits with "Don't add it" only, folded away until it's wanted.
    section = page[approve:]
    assert section.index("<details") < section.index('name="reason"')


LONG = "We built a very tall tower with the big blocks. " * 400  # about 19,000 characters


@pytest.mark.parametrize(
    ("viewer", "path"),
    [("parent", "/children/{child}/journal"), ("key_person", "/children/{child}/journal")],
)
def test_long_entry_is_shortened_in_the_journal_with_read_more(world, web, viewer, path):
    obs = f.observation(author=world.key_person, children=[world.child], text=LONG)
    page = web(getattr(world, viewer)).get(path.format(child=world.child.pk)).content.decode()
    assert len(page) < len(LONG)
    card = page.split("<article")[1].split("</article>")[0]
    assert "Read more" in card
    assert f'href="/observations/{obs.pk}/"' in card
    full = web(getattr(world, viewer)).get(f"/observations/{obs.pk}/").content.decode()
    assert LONG.strip()[-200:] in full.replace("<br>", " ").replace("\n", " ") or len(full) > len(
        LONG
    )


def test_short_entry_has_no_read_more(world, web):
    f.observation(author=world.key_person, children=[world.child], text="Short and sweet.")
    page = web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    assert "Read more" not in page


@pytest.mark.parametrize(
    ("viewer", "path"),
    [("key_person", "/observations/new"), ("parent", "/children/{child}/contribute")],
)
def test_capture_box_has_a_character_counter(world, web, viewer, path):
    page = web(getattr(world, viewer)).get(path.format(child=world.child.pk)).content.decode()
    box = re.search(r'<textarea[^>]*name="text"[^>]*>', page).group(0)
    assert 'maxlength="20000"' in box
    assert 'data-counter="id_text_count"' in box
    assert 'id="id_text_count"' in page and 'aria-live="polite"' in page
    assert re.search(r'<script src="/static/acorn/counter\.js[^"]*" nonce="[^"]+"', page)


def test_a_leader_cannot_review_her_own_entry_by_posting_the_form(world, web):
    mine = f.observation(author=world.manager, children=[world.child], text="Mine.")
    response = web(world.manager).post(f"/observations/{mine.pk}/review", {"feedback": "Lovely."})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.reviewed_at is None and mine.review_feedback == ""


def test_todays_count_to_review_leaves_out_the_leaders_own_entries(world, web):
    f.observation(author=world.manager, children=[world.child], text="Mine.")
    f.observation(author=world.key_person, children=[world.child], text="Kate's.")
    page = web(world.manager).get("/", follow=True).content.decode()
    assert re.search(r"<strong>1</strong> observation to review", page)


def test_the_review_list_opens_photos_in_the_viewer(world, web):
    page = web(world.manager).get("/review/").content.decode()
    assert "journal/viewer.js" in page

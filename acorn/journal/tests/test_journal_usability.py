"""Small usability fixes from issue 14: wording that says what is needed, Acorn's own
error for an empty reply, review and From home that name the child, and long text."""

import re

import pytest

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

"""Small usability fixes from issue 14: wording that says what is needed, Acorn's own
error for an empty reply, review and From home that name the child, and long text."""

import pytest


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

import uuid

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.urls.base import set_script_prefix

from acorn.core.templatetags.acorn_extras import link


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("journal:child", [uuid.uuid4()]),
        ("journal:observation", [uuid.uuid4()]),
        ("journal:media", [uuid.uuid4(), "thumb"]),
        ("children:detail", [str(uuid.uuid4())]),
    ],
)
def test_link_gives_the_same_url_as_reverse(name, args):
    assert link(name, *args) == reverse(name, args=args)


def test_link_follows_the_script_prefix():
    media_id = uuid.uuid4()
    try:
        set_script_prefix("/acorn/")
        assert link("journal:media", media_id, "display") == f"/acorn/media/{media_id}/display"
    finally:
        set_script_prefix("/")
    assert link("journal:media", media_id, "display") == f"/media/{media_id}/display"


def test_link_falls_back_to_reverse_for_arguments_that_need_quoting():
    assert link("journal:child", "a b") == reverse("journal:child", args=["a b"])


def test_link_tag_renders_the_url():
    child_id = uuid.uuid4()
    out = Template("{% load acorn_extras %}{% id_url 'journal:child' child_id %}").render(
        Context({"child_id": child_id})
    )
    assert out == f"/children/{child_id}/journal"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("journal:observation", [uuid.uuid4()]),
        ("journal:observation", [str(uuid.uuid4())]),
        ("journal:observation", ["a b"]),  # needs quoting
        ("journal:media", [uuid.uuid4(), "thumb"]),
        ("journal:media", [uuid.uuid4(), "poster"]),
        ("journal:media", [uuid.uuid4(), "other-word"]),
        ("journal:media", [str(uuid.uuid4()), "display"]),
        ("journal:media", [uuid.uuid4(), "a b"]),
        ("journal:media_page", [uuid.uuid4()]),
    ],
)
def test_a_linker_gives_the_same_url_as_reverse_for_any_arguments(name, args):
    """`linker` builds the shapes lists use most (an id; an id and a rendition) directly,
    and anything else as `link` does: each the URL reverse() gives."""
    from acorn.core.templatetags.acorn_extras import linker

    assert linker(name, len(args))(*args) == reverse(name, args=args)
    try:
        set_script_prefix("/acorn/")
        assert linker(name, len(args))(*args) == reverse(name, args=args)
        assert reverse(name, args=args).startswith("/acorn/")
    finally:
        set_script_prefix("/")

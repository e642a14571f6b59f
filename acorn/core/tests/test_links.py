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

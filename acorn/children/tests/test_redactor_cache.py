"""Issue 13: the initials redactor (C-4) is built once per setting and family, not on
every parent request, and a child added or renamed is redacted on the very next request."""

import pytest

from acorn.children import names
from acorn.children.models import ParentLink
from acorn.children.names import redactor_for
from acorn.core.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_parents_later_requests_reuse_the_redactor(world, monkeypatch):
    built = []
    real = names.NameRedactor.__init__

    def counting(self, *args):
        built.append(1)
        real(self, *args)

    monkeypatch.setattr(names.NameRedactor, "__init__", counting)
    names._redactor.cache_clear()
    first = redactor_for(world.parent, world.setting_a.pk, staff=False)
    second = redactor_for(world.parent, world.setting_a.pk, staff=False)
    assert first is second and len(built) == 1


def test_a_child_renamed_is_shown_by_initials_on_the_next_request(world):
    redact = redactor_for(world.parent, world.setting_a.pk, staff=False)
    assert redact("Yasmin and Priya painted.") == "Y.Z. and Priya painted."
    world.other_child.first_name = "Priya"
    world.other_child.save()
    redact = redactor_for(world.parent, world.setting_a.pk, staff=False)
    assert redact("Yasmin and Priya painted.") == "Yasmin and P.Z. painted."


def test_a_child_added_is_shown_by_initials_on_the_next_request(world):
    redact = redactor_for(world.parent, world.setting_a.pk, staff=False)
    assert redact("Played with Quentin.") == "Played with Quentin."
    f.ChildFactory(
        setting=world.setting_a, first_name="Quentin", last_name="Blake", key_person=world.manager
    )
    redact = redactor_for(world.parent, world.setting_a.pk, staff=False)
    assert redact("Played with Quentin.") == "Played with Q.B."


def test_a_parent_of_two_children_keeps_both_names_from_a_shared_redactor(world):
    redact = redactor_for(world.parent, world.setting_a.pk, staff=False)
    assert redact("Xander and Yasmin") == "Xander and Y.Z."
    ParentLink.objects.create(parent=world.parent, child=world.other_child)
    fresh = type(world.parent).objects.get(pk=world.parent.pk)
    assert redactor_for(fresh, world.setting_a.pk, staff=False)("Xander and Yasmin") == (
        "Xander and Yasmin"
    )


def test_plain_text_is_normalised_exactly_as_the_careful_way_does():
    from acorn.children.names import _normal_char

    for text in ["Rose's `tower`\tand\nMAY-Day  x\x0b\x1fy", "O'Neill", "plain words 12"]:
        careful = "".join(_normal_char(c) for c in text)
        assert names.normalise(text)[0] == careful
        assert list(names.normalise(text)[1]) == list(range(len(text)))

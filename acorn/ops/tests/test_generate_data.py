import pytest
from django.core.management import call_command
from django.http import Http404

from acorn.children.models import Child
from acorn.journal.models import Comment, MediaItem, Observation, ObservationChild
from acorn.journal.selectors import journal_for
from acorn.org.models import Setting

pytestmark = pytest.mark.django_db


def test_generate_data_makes_a_world_at_the_size_asked(capsys):
    call_command("generate_data", entries=250, entries_per_setting=100, children_per_setting=8)
    assert Setting.objects.count() == 3
    assert Observation.objects.count() == 250
    # every fifth entry is for two children, every second has a photo, every tenth a reply
    assert 295 <= ObservationChild.objects.count() <= 305
    assert 123 <= MediaItem.objects.count() <= 128 and 24 <= Comment.objects.count() <= 28
    out = capsys.readouterr().out
    assert "Made 3 settings, 250 entries" in out


def test_generated_people_see_what_the_rules_allow():
    from acorn.ops.synthetic import generate

    result = generate(entries=60, children_per_setting=4, entries_per_setting=30)
    sample = result.sample
    parent_view = list(journal_for(sample["parent"], sample["child"]))
    staff_view = list(journal_for(sample["key_person"], sample["child"]))
    assert parent_view and len(parent_view) == len(staff_view)
    far_child = Child.objects.filter(setting=result.settings[1]).first()
    with pytest.raises(Http404):
        journal_for(sample["parent"], far_child)


def test_generate_data_refuses_to_run_twice_into_one_database():
    from django.core.management.base import CommandError

    call_command("generate_data", entries=10, children_per_setting=2)
    with pytest.raises(CommandError):
        call_command("generate_data", entries=10, children_per_setting=2)

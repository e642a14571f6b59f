"""`active_child_ids` is asked on every page (the notifications badge): someone linked to
no child costs one query, not two (issue 13), and a parent's answer is unchanged."""

import pytest

from acorn.accounts.models import User
from acorn.children.selectors import active_child_ids

pytestmark = pytest.mark.django_db


def test_staff_linked_to_no_child_cost_one_query(world, django_assert_num_queries):
    manager = User.objects.get(pk=world.manager.pk)
    with django_assert_num_queries(1):
        assert active_child_ids(manager) == set()


def test_a_parent_still_gets_their_onboarded_children(world, django_assert_num_queries):
    parent = User.objects.get(pk=world.parent.pk)
    with django_assert_num_queries(2):
        assert active_child_ids(parent) == {world.child.pk}

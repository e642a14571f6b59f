"""`active_child_ids` is asked on every page (the notifications badge): one query for
anyone, which also answers `linked_child_ids` (issue 13), and a parent's answer is
unchanged."""

import pytest

from acorn.accounts.models import User
from acorn.children.selectors import active_child_ids, linked_child_ids

pytestmark = pytest.mark.django_db


def test_staff_linked_to_no_child_cost_one_query(world, django_assert_num_queries):
    manager = User.objects.get(pk=world.manager.pk)
    with django_assert_num_queries(1):
        assert active_child_ids(manager) == set()


def test_a_parent_still_gets_their_onboarded_children(world, django_assert_num_queries):
    parent = User.objects.get(pk=world.parent.pk)
    with django_assert_num_queries(1):
        assert active_child_ids(parent) == {world.child.pk}
        assert linked_child_ids(parent) == {world.child.pk}


def test_linked_but_not_onboarded_and_expired_links_each_count_as_before(world):
    """A link whose onboarding isn't finished opens nothing yet but is still a link; one
    past its grace period (L-3) is neither."""
    from datetime import timedelta

    from django.utils import timezone

    from acorn.core.tests import factories as f
    from acorn.leaving.models import GRACE_DAYS, Leaving

    both = f.parent_of(world.child, name="Both")
    f.parent_of(world.other_child, user=both, onboarded=False)
    f.parent_of(world.far_child, user=both)
    Leaving.objects.create(
        child=world.far_child,
        leaving_on=timezone.localdate() - timedelta(days=GRACE_DAYS + 1),
        recorded_by=world.other_manager,
    )
    person = User.objects.get(pk=both.pk)
    assert linked_child_ids(person) == {world.child.pk, world.other_child.pk}
    assert active_child_ids(person) == {world.child.pk}

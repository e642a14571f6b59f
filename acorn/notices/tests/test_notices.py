"""Who is told what (issue 14, "Staff hear nothing"), and who may still see it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acorn.core.tests import factories as f
from acorn.journal import services as journal
from acorn.notices import services as notices
from acorn.notices.models import Notice
from acorn.notices.selectors import describe
from acorn.notices.tests.helpers import contribution, entry, kinds_for, shown_to

pytestmark = pytest.mark.django_db


def _texts(person) -> list[str]:
    return [describe(n).text for n in shown_to(person)]


def test_parent_reply_tells_the_author_and_the_key_person(world):
    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="She loved it!")
    assert kinds_for(world.manager) == ["reply"]
    assert kinds_for(world.key_person) == ["reply"]
    assert kinds_for(world.parent) == ["entry"]  # the entry itself, not their own reply
    assert kinds_for(world.other_parent) == [] and kinds_for(world.other_manager) == []
    assert _texts(world.key_person) == ["Pat Parent replied on an entry about Xander."]


def test_staff_reply_tells_that_familys_parents_only(world):
    obs = entry(world, author=world.manager, children=[world.child, world.other_child])
    journal.comment_add(
        observation=obs, author=world.key_person, text="Thank you", child=world.child
    )
    assert kinds_for(world.manager) == []  # staff replies are no news to staff
    assert kinds_for(world.parent) == ["entry", "staff_reply"]
    assert kinds_for(world.other_parent) == ["entry"]
    assert "Kate Key replied to you on an entry about Xander." in _texts(world.parent)


def test_contribution_tells_key_person_and_session_leaders(world):
    deputy = f.staff(world.setting_a, "deputy", name="Dee Deputy")
    practitioner = f.staff(world.setting_a, "practitioner", name="Pip Other")
    contribution(world)
    for person in (world.key_person, world.manager, deputy):
        assert kinds_for(person) == ["contribution"]
        assert _texts(person) == [
            "Xander's family added something from home. It's waiting for approval."
        ]
    for person in (practitioner, world.parent, world.other_parent, world.other_manager):
        assert kinds_for(person) == []


def test_feedback_tells_the_author(world):
    obs = entry(world)
    journal.observation_review(observation=obs, reviewer=world.manager, feedback="")
    assert kinds_for(world.key_person) == []  # a review without words says nothing
    journal.observation_review(observation=obs, reviewer=world.manager, feedback="Lovely detail.")
    assert kinds_for(world.key_person) == ["feedback"]
    assert _texts(world.key_person) == ["Mia Manager left feedback on your entry about Xander."]
    assert kinds_for(world.parent) == ["entry"]


def test_decision_tells_the_parent_and_the_other_parent_sees_the_new_entry(world):
    second_parent = f.parent_of(world.child, name="Sam Second")
    added = contribution(world)
    rejected = contribution(world, text="Another one.")
    journal.contribution_approve(observation=added, approved_by=world.key_person)
    journal.contribution_reject(observation=rejected, rejected_by=world.key_person, reason="Dup.")
    assert kinds_for(world.parent) == ["contribution_added", "contribution_not_added"]
    # Once decided, "waiting for approval" is no longer news for the staff.
    assert not Notice.objects.filter(kind="contribution", read_at=None).exists()
    assert Notice.objects.filter(recipient=world.manager, kind="contribution").count() == 2
    assert kinds_for(second_parent) == ["entry"]
    assert kinds_for(world.other_parent) == []
    texts = _texts(world.parent)
    assert "What you added from home is now in Xander's journal." in texts
    assert "What you added from home wasn't added to Xander's journal. See why." in texts
    # The rejected one stays the author's alone: the second parent never sees it.
    assert [n.observation_id for n in shown_to(second_parent)] == [added.pk]


def test_group_entry_tells_each_family_about_their_own_child_only(world):
    obs = entry(world, children=[world.child, world.other_child], text="Xander and Yasmin")
    assert [n.child_id for n in shown_to(world.parent)] == [world.child.pk]
    assert [n.child_id for n in shown_to(world.other_parent)] == [world.other_child.pk]
    assert _texts(world.parent) == ["There's something new in Xander's journal."]
    assert all("Xander" not in t for t in _texts(world.other_parent))
    assert kinds_for(world.far_parent) == []
    # Asked again (an edit, a retry): nobody is told twice.
    assert notices.entry_published(observation=obs) == 0
    assert kinds_for(world.parent) == ["entry"]


def test_drafts_tell_nobody_until_published(world):
    obs = entry(world, publish=False)
    assert kinds_for(world.parent) == []
    journal.observation_publish(observation=obs, published_by=world.key_person)
    assert kinds_for(world.parent) == ["entry"]


def test_shared_report_tells_the_childs_parents(world):
    from tests.security.reports_world import shared_report

    report = shared_report(world)
    assert kinds_for(world.parent) == ["report"]
    assert kinds_for(world.other_parent) == []
    notice = shown_to(world.parent)[0]
    assert describe(notice).path == f"/reports/{report.pk}/"
    assert describe(notice).text == "Xander's report is ready to read."


# --- Read time: recipients must still be allowed -----------------------------------


def test_staff_who_lose_clearance_or_leave_stop_seeing_them(world):
    from acorn.org.models import Membership
    from acorn.suitability.models import UpdateServiceSubscription
    from acorn.suitability.selectors import forget_clearance

    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Thanks")
    assert len(shown_to(world.key_person)) == 1
    UpdateServiceSubscription.objects.filter(person=world.key_person).delete()
    forget_clearance(world.key_person)
    assert shown_to(world.key_person) == []
    assert len(shown_to(world.manager)) == 1
    Membership.objects.filter(user=world.manager).update(is_active=False)
    assert shown_to(world.manager) == []


def test_parent_whose_link_ended_stops_seeing_them(world):
    from acorn.children.models import ParentLink

    entry(world)
    assert len(shown_to(world.parent)) == 1
    ParentLink.objects.filter(parent=world.parent).delete()
    assert shown_to(world.parent) == []


def test_a_child_who_has_left_takes_their_notifications_away(world):
    import time_machine

    from acorn.leaving.services import leaving_record

    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Thanks")
    leaving_on = timezone.localdate() + timedelta(days=2)
    leaving_record(
        child=world.child, recorded_by=world.manager, leaving_on=leaving_on, destination_name="Oak"
    )
    assert len(shown_to(world.parent)) == 1 and len(shown_to(world.manager)) == 1
    with time_machine.travel(leaving_on + timedelta(days=1)):
        assert shown_to(world.parent) == []
        assert shown_to(world.manager) == []


def test_a_transferred_child_is_not_shown_to_the_old_settings_staff(world):
    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Thanks")
    world.child.setting = world.setting_b
    world.child.save(update_fields=["setting"])
    assert shown_to(world.manager) == []


def test_parent_who_is_uncleared_staff_sees_only_their_parent_notifications(world):
    parent_staff = f.staff(world.setting_a, "practitioner", cleared=False, name="Perry Both")
    f.parent_of(world.child, user=parent_staff)
    obs = entry(world)
    # As if they had written an entry before their checks lapsed: a staff notification.
    Notice.objects.create(
        recipient=parent_staff,
        kind="reply",
        setting=world.setting_a,
        child=world.other_child,
        observation=entry(world, children=[world.other_child]),
        actor=world.other_parent,
    )
    seen = shown_to(parent_staff)
    assert [(n.kind, n.observation_id) for n in seen] == [("entry", obs.pk)]


def test_notifications_are_deleted_with_the_child(world):
    entry(world)
    assert Notice.objects.filter(child=world.child).exists()
    world.child.delete()
    assert not Notice.objects.filter(child_id=world.child.pk).exists()


def test_unread_rule_kept_per_process_follows_every_change(world):
    """The badge's compiled SQL is kept per process (issue 13): the same inputs give the
    same SQL as a fresh build, and a change to what decides (clearance, the parent's link,
    the date a child leaves) gives a new rule, so the badge follows it at once."""
    import time_machine

    from acorn.children.models import ParentLink
    from acorn.notices.selectors import _unread_count_sql, notices_for, unread_count
    from acorn.notices.tests.helpers import _fresh
    from acorn.suitability.models import UpdateServiceSubscription
    from acorn.suitability.selectors import forget_clearance

    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Thanks")
    people = (world.manager, world.key_person, world.parent, world.other_parent)
    for person in people:
        _unread_count_sql(_fresh(person))  # kept
        kept, fresh = _fresh(person), _fresh(person)
        built = notices_for(fresh).filter(read_at=None).order_by().values("pk")
        sql, params = built.query.sql_with_params()
        assert _unread_count_sql(kept) == (f"SELECT COUNT(*) FROM ({sql}) unread", tuple(params))
    assert [unread_count(_fresh(p)) for p in people] == [1, 1, 1, 0]

    leaving_on = timezone.localdate() + timedelta(days=2)
    from acorn.leaving.services import leaving_record

    leaving_record(
        child=world.child, recorded_by=world.manager, leaving_on=leaving_on, destination_name="Oak"
    )
    with time_machine.travel(leaving_on + timedelta(days=1)):
        assert unread_count(_fresh(world.parent)) == 0
        assert unread_count(_fresh(world.key_person)) == 0
    assert unread_count(_fresh(world.key_person)) == 1

    UpdateServiceSubscription.objects.filter(person=world.key_person).delete()
    forget_clearance(world.key_person)
    assert unread_count(_fresh(world.key_person)) == 0
    ParentLink.objects.filter(parent=world.parent).delete()
    assert unread_count(_fresh(world.parent)) == 0

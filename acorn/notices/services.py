"""Every write of notifications. The journal's and the reports' services call these in
the same transaction as the change they tell about; views never do.

Recipients are chosen by the rules of the moment (the author, the key person, the
setting's session leaders, the child's parents), and the list page checks again, through
the selectors, that each may still see what a notification points at.
"""

from django.db import transaction
from django.utils import timezone

from acorn.children.models import ParentLink
from acorn.notices.models import Notice
from acorn.org.models import Membership

K = Notice.Kind


def _create(notices) -> int:
    """Idempotent where the kind says so (see Notice.ONCE_PER_ENTRY): a second ask for the
    same entry and person adds nothing."""
    notices = [notice for notice in notices if notice.recipient_id is not None]
    if not notices:
        return 0
    once = [n for n in notices if n.kind in Notice.ONCE_PER_ENTRY and n.observation_id]
    if once:
        told = set(
            Notice.objects.filter(
                observation_id__in={n.observation_id for n in once},
                kind__in={n.kind for n in once},
                recipient_id__in={n.recipient_id for n in once},
            ).values_list("recipient_id", "kind", "observation_id")
        )
        notices = [n for n in notices if (n.recipient_id, n.kind, n.observation_id) not in told]
    # The constraints still decide if two requests race to tell the same person.
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(notices)


def _entry_children(observation) -> list:
    return [
        link.child
        for link in observation.links.select_related("child").order_by("child__first_name")
    ]


def _session_leader_ids(setting_id) -> set:
    return set(
        Membership.objects.filter(
            setting_id=setting_id, is_active=True, role__in=Membership.SESSION_LEADER_ROLES
        ).values_list("user_id", flat=True)
    )


def parent_replied(*, comment) -> int:
    """A parent's reply: the entry's author and the child's key person hear of it."""
    observation = comment.observation
    child = comment.child
    recipients = {observation.author_id, child.key_person_id} - {comment.author_id, None}
    return _create(
        Notice(
            recipient_id=recipient,
            kind=K.REPLY,
            setting_id=observation.setting_id,
            child=child,
            observation=observation,
            comment=comment,
            actor_id=comment.author_id,
        )
        for recipient in recipients
    )


def staff_replied(*, comment) -> int:
    """Staff reply in a family's thread: that child's parents hear of it."""
    observation = comment.observation
    parent_ids = set(
        ParentLink.objects.filter(child_id=comment.child_id).values_list("parent_id", flat=True)
    ) - {comment.author_id}
    return _create(
        Notice(
            recipient_id=parent_id,
            kind=K.STAFF_REPLY,
            setting_id=observation.setting_id,
            child_id=comment.child_id,
            observation=observation,
            comment=comment,
            actor_id=comment.author_id,
        )
        for parent_id in parent_ids
    )


def contribution_added(*, observation) -> int:
    """Something from home waits for approval: the child's key person and the setting's
    session leaders (who approve) hear of it, one notification each."""
    children = _entry_children(observation)
    if not children:
        return 0
    recipients = {child.key_person_id for child in children} | _session_leader_ids(
        observation.setting_id
    )
    recipients -= {observation.author_id, None}
    return _create(
        Notice(
            recipient_id=recipient,
            kind=K.CONTRIBUTION,
            setting_id=observation.setting_id,
            child=children[0],
            observation=observation,
            actor_id=observation.author_id,
        )
        for recipient in recipients
    )


def feedback_given(*, observation, reviewer) -> int:
    """Review feedback (J-6) reaches the entry's author; a review without words, or of
    one's own entry, says nothing."""
    if not (observation.review_feedback or "").strip():
        return 0
    if observation.author_id in (None, reviewer.pk) or observation.by_parent:
        return 0
    children = _entry_children(observation)
    if not children:
        return 0
    return _create(
        [
            Notice(
                recipient_id=observation.author_id,
                kind=K.FEEDBACK,
                setting_id=observation.setting_id,
                child=children[0],
                observation=observation,
                actor=reviewer,
            )
        ]
    )


def _parents_of(children, *, except_ids=()) -> dict:
    """Each parent of these children, with the first of their own children among them
    (a parent is told about their own child, by first name, and nothing else)."""
    first_child = {}
    links = ParentLink.objects.filter(child__in=[c.pk for c in children]).select_related("child")
    for link in sorted(links, key=lambda link: link.child.first_name):
        if link.parent_id not in except_ids:
            first_child.setdefault(link.parent_id, link.child)
    return first_child


def entry_published(*, observation, children=None) -> int:
    """A new entry in a child's journal: that child's parents hear of it (each about
    their own child). `children`: only these (children just added to an entry); by
    default every child of the entry. The parent who wrote a contribution hears of it
    as `contribution_decided` instead. Once per parent and entry."""
    if observation.status != "published":
        return 0
    children = children if children is not None else _entry_children(observation)
    parents = _parents_of(children, except_ids={observation.author_id})
    return _create(
        Notice(
            recipient_id=parent_id,
            kind=K.ENTRY,
            setting_id=observation.setting_id,
            child=child,
            observation=observation,
        )
        for parent_id, child in parents.items()
    )


def contribution_decided(*, observation) -> int:
    """The parent who sent something from home hears whether it was added; the staff's
    "waiting for approval" about it is no longer news, so it counts as read."""
    Notice.objects.filter(observation=observation, kind=K.CONTRIBUTION, read_at=None).update(
        read_at=timezone.now()
    )
    children = _entry_children(observation)
    if observation.author_id is None or not children:
        return 0
    own = [c for c in children if c.pk in _own_child_ids(observation.author_id, children)]
    kind = K.CONTRIBUTION_ADDED if observation.status == "published" else K.CONTRIBUTION_NOT_ADDED
    made = _create(
        [
            Notice(
                recipient_id=observation.author_id,
                kind=kind,
                setting_id=observation.setting_id,
                child=(own or children)[0],
                observation=observation,
            )
        ]
    )
    if observation.status == "published":
        # Another parent of the same child (the other parent, a carer) sees a new entry.
        made += entry_published(observation=observation)
    return made


def _own_child_ids(parent_id, children) -> set:
    return set(
        ParentLink.objects.filter(
            parent_id=parent_id, child__in=[c.pk for c in children]
        ).values_list("child_id", flat=True)
    )


def report_shared(*, report) -> int:
    """A shared report: the child's parents hear of it."""
    parent_ids = ParentLink.objects.filter(child_id=report.child_id).values_list(
        "parent_id", flat=True
    )
    return _create(
        Notice(
            recipient_id=parent_id,
            kind=K.REPORT,
            setting_id=report.setting_id,
            child_id=report.child_id,
            report=report,
        )
        for parent_id in parent_ids
    )


def mark_read(*, recipient, notices=None) -> int:
    """Mark this person's notifications read: the given ones (already narrowed to the
    recipient's own by the caller's selector), or all of them."""
    unread = Notice.objects.filter(recipient=recipient, read_at=None)
    if notices is not None:
        unread = unread.filter(pk__in=[n.pk for n in notices])
    return unread.update(read_at=timezone.now())


@transaction.atomic
def email_choice_set(*, person, email=None, staff_daily_email=None):
    """How this person wants to hear by email (see NotificationPreference)."""
    from acorn.journal.models import NotificationPreference

    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=person)
    if email is not None:
        if email not in NotificationPreference.Email.values:
            from django.core.exceptions import ValidationError

            raise ValidationError({"email": "Please choose how you'd like to hear from us."})
        preference.email = email
    if staff_daily_email is not None:
        preference.staff_daily_email = bool(staff_daily_email)
    preference.save()
    return preference

"""Every read of journal entries, decided by who is asking.

Staff of the child's setting see published entries, parents' contributions and their
own drafts; a parent sees published entries and their own contributions. Other people's
drafts, other families' entries and other settings' entries do not exist for them.
"""

import uuid

from django.db.models import Prefetch, Q
from django.http import Http404

from acorn.children.models import Child
from acorn.children.selectors import is_staff_for, linked_child_ids
from acorn.journal.models import Observation, ObservationChild
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import is_cleared, refusal_for

S = Observation.Status


def _staff_rule(user) -> Q:
    return Q(status__in=[S.PUBLISHED, S.PENDING, S.REJECTED]) | Q(status=S.DRAFT, author=user)


def _parent_rule(user) -> Q:
    return Q(status=S.PUBLISHED) | Q(author=user, status__in=[S.PENDING, S.REJECTED])


def _with_children(observations):
    return observations.select_related("author").prefetch_related(
        Prefetch(
            "links",
            queryset=ObservationChild.objects.select_related("child").order_by("child__first_name"),
        )
    )


def journal_for(user, child: Child):
    """A child's journal as this person may see it, newest first (child already checked
    with child_for)."""
    if is_staff_for(user, child):
        rule = _staff_rule(user)
    elif child.pk in linked_child_ids(user):
        rule = _parent_rule(user)
    else:
        raise Http404("No such child.")
    return _with_children(
        Observation.objects.filter(rule, links__child=child).order_by(
            "-observed_on", "-created_at", "-id"
        )
    )


def observation_for(user, observation_id) -> Observation:
    """One entry, if this person may see it; otherwise 404."""
    try:
        observation_id = uuid.UUID(str(observation_id))
    except ValueError:
        raise Http404("No such entry.") from None
    observation = _with_children(Observation.objects.filter(pk=observation_id)).first()
    if observation is None:
        raise Http404("No such entry.")
    own_child = any(link.child_id in linked_child_ids(user) for link in observation.links.all())
    if is_cleared(user, observation.setting_id):
        visible = Observation.objects.filter(_staff_rule(user), pk=observation.pk).exists()
    elif own_child:
        visible = Observation.objects.filter(_parent_rule(user), pk=observation.pk).exists()
    else:
        membership = membership_in(user, observation.setting_id)
        if membership is not None:
            # Staff of this setting, not yet cleared: say what is missing.
            raise refusal_for(user, membership.setting)
        visible = False
    if not visible:
        raise Http404("No such entry.")
    return observation


def children_shown_to(user, observation) -> list[Child]:
    """The children of an entry that this person may see named: all of them for staff,
    only their own for a parent (other children's names never reach a parent)."""
    children = [link.child for link in observation.links.all()]
    if is_cleared(user, observation.setting_id):
        return children
    own = linked_child_ids(user)
    return [child for child in children if child.pk in own]


def drafts_of(user, setting):
    return _with_children(
        Observation.objects.filter(setting=setting, author=user, status=S.DRAFT).order_by(
            "-updated_at"
        )
    )


def pending_contributions(setting):
    return _with_children(
        Observation.objects.filter(setting=setting, status=S.PENDING).order_by("created_at")
    )

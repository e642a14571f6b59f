"""Every read of children that depends on who is asking.

A staff member sees the children of the settings they work in; a parent sees the
children they are linked to. Anything else does not exist for them (404). Later rules
(suitability clearance, onboarding) plug in here.
"""

import uuid

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.http import Http404

from acorn.children.models import Child, ParentLink
from acorn.core.kept import Kept, Statement, compiled, placeholders, statement
from acorn.org.models import Setting
from acorn.org.selectors import memberships_of
from acorn.suitability.selectors import cleared_setting_ids, is_cleared, refusal_for


def children_visible_to(user):
    """Staff see the children of the settings where they are cleared (A-5); parents see
    their own children (a staff member who is also a parent sees their own child even
    before their staff checks are complete)."""
    if not getattr(user, "is_authenticated", False):
        return Child.objects.none()
    from acorn.leaving.rules import archived, expired

    # L-3: from the leaving date practitioners lose an archived child, session leaders
    # keep read access, and parents keep it for the grace period.
    as_staff = Q(setting_id__in=cleared_setting_ids(user)) & (
        ~archived() | Q(setting_id__in=leader_setting_ids(user))
    )
    as_parent = Exists(ParentLink.objects.filter(parent=user, child=OuterRef("pk"))) & ~expired()
    return Child.objects.filter(as_staff | Q(as_parent))


def _kept_children_visible_to(user):
    """`children_visible_to`, compiled once per process for everything it is built from
    (`acorn.core.kept`): for a page's own lookup of one child, never inside another query."""
    if not getattr(user, "is_authenticated", False):
        return Child.objects.none()
    key = _children_visible_key(user)
    return _CHILDREN_VISIBLE.get(key, lambda: compiled(children_visible_to(user))).all()


def _children_visible_key(user) -> tuple:
    """Everything `children_visible_to` reads in Python."""
    from acorn.leaving.rules import today

    return (
        user.pk,
        today(),
        frozenset(cleared_setting_ids(user)),
        frozenset(leader_setting_ids(user)),
    )


def _child_lookup(user) -> Statement:
    """A page's lookup of one child among those this person may see, as one statement."""
    slot = placeholders(1)
    lookup = (
        _kept_children_visible_to(user)
        .select_related("setting", "key_person", "backup_key_person", "photo")
        .filter(pk=slot[0])[:1]
    )
    return Statement(lookup, slot)


_CHILDREN_VISIBLE = Kept()
_CHILD_LOOKUPS = Kept()


def leader_setting_ids(user) -> set:
    """The settings where this person is a session leader (manager or deputy)."""
    return {sid for sid, m in memberships_of(user).items() if m.is_session_leader}


def require_some_clearance(user) -> None:
    """For lists of children: a staff member cleared nowhere, who is no one's parent, is
    told what is missing rather than shown an empty list."""
    memberships = memberships_of(user)
    if memberships and not cleared_setting_ids(user) and not linked_child_ids(user):
        raise refusal_for(
            user, sorted(memberships.values(), key=lambda m: m.setting.name)[0].setting
        )


def _refuse_if_gated(user, child_id) -> None:
    uncleared = [sid for sid in memberships_of(user) if not is_cleared(user, sid)]
    if not uncleared:
        return
    setting_id = (
        Child.objects.filter(pk=child_id, setting_id__in=uncleared)
        .values_list("setting_id", flat=True)
        .first()
    )
    if setting_id is not None:
        raise refusal_for(user, memberships_of(user)[setting_id].setting)


def children_of_parent(user):
    return Child.objects.filter(parent_links__parent=user).select_related("key_person", "photo")


def child_for(user, child_id) -> Child:
    """The child, if this person may know it exists; otherwise 404."""
    try:
        child_id = uuid.UUID(str(child_id))
    except ValueError:
        raise Http404("No such child.") from None
    lookup = _CHILD_LOOKUPS.get(_children_visible_key(user), lambda: _child_lookup(user))
    child = lookup.first([child_id])
    if child is None:
        # Staff of the child's own setting know it exists: they are told what is missing.
        _refuse_if_gated(user, child_id)
        raise Http404("No such child.")
    return child


def is_staff_for(user, child) -> bool:
    """Staff of the child's setting who are cleared to see children's data (A-5); for an
    archived child, only its session leaders (L-3)."""
    if not is_cleared(user, child.setting_id):
        return False
    from acorn.leaving.rules import is_archived

    return child.setting_id in leader_setting_ids(user) or not is_archived(child)


def linked_child_ids(user) -> set:
    """The ids of the children this person is linked to as a parent (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_acorn_child_ids", None)
    if cached is None:
        # After the grace period (L-3) a parent's link no longer opens anything.
        cached = {child_id for child_id, expired, _ in _parent_links(user) if not expired}
        user._acorn_child_ids = cached
    return cached


def _parent_links(user) -> list:
    """(child id, expired, onboarded) for each of this person's links as a parent: asked on
    every request, in one query for both `linked_child_ids` and `active_child_ids`, by a
    statement compiled once per process (`acorn.core.kept`). Cached per request."""
    cached = getattr(user, "_acorn_parent_links", None)
    if cached is None:
        from acorn.leaving.rules import expiry_cutoff, today

        cached = _links_of_parent.rows(user.pk, expiry_cutoff(today()))
        user._acorn_parent_links = cached
    return cached


@statement
def _links_of_parent(parent_id, cutoff):
    from acorn.children.consent import links_with_onboarding
    from acorn.leaving.rules import expired_by

    onboarded = ExpressionWrapper(
        Q(agreement_signed=True) & Q(consent_answered=True), output_field=BooleanField()
    )
    return (
        links_with_onboarding(parent_id)
        .annotate(expired=expired_by("child_id", cutoff), onboarded=onboarded)
        .values_list("child_id", "expired", "onboarded")
    )


def is_parent(user) -> bool:
    """Whether this person is a parent or carer of any child (whose link still opens it)."""
    return bool(linked_child_ids(user))


def is_parent_of(user, child) -> bool:
    return child.pk in linked_child_ids(user)


def children_of_setting(setting, *, status=None, key_person=None, search="", on=None):
    """The setting's children for staff lists (the caller has checked membership)."""
    children = Child.objects.filter(setting=setting).select_related("key_person", "photo")
    if status == Child.Status.ACTIVE:
        from acorn.leaving.rules import attending

        # L-1: a leaving child stays in the lists until the leaving date, not after.
        children = attending(children, on)
    elif status:
        children = children.filter(status=status)
    if key_person is not None:
        children = children.filter(Q(key_person=key_person) | Q(backup_key_person=key_person))
    if search:
        children = children.filter(Q(first_name__icontains=search) | Q(last_name__icontains=search))
    return children.order_by("first_name", "last_name")


# Only what a card of the children list shows (`rendering.cards_html`): a child's row and
# their portrait's carry much more, and reading it was most of the page's time (issue 13).
CARD_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "image_consent",
    "key_person__name",
    "photo__status",
)


def children_list_cards(setting, *, status, key_person=None, search=""):
    """The children list's rows (cards), with when each was last observed. Without a
    search, the usual visit, by a statement compiled once per process (`acorn.core.kept`)."""
    from acorn.leaving.rules import today

    on = today() if status == Child.Status.ACTIVE else None
    key_person_id = key_person.pk if key_person is not None else None
    if search:
        return list(_cards(setting.pk, status, key_person_id, on, search))
    return _cards.rows(setting.pk, status, key_person_id, on)


@statement
def _cards(setting_id, status, key_person_id, on, search=""):
    children = children_of_setting(
        Setting(pk=setting_id), status=status, key_person=key_person_id, search=search, on=on
    )
    return with_last_observation(children).only(*CARD_FIELDS)


def with_last_observation(children):
    """Each child's latest published observation date (one subquery on the journal index),
    so staff see at a glance who hasn't been observed lately."""
    from acorn.journal.models import ObservationChild

    latest = (
        ObservationChild.objects.filter(child=OuterRef("pk"), observation__status="published")
        .order_by("-observed_on")
        .values("observed_on")[:1]
    )
    return children.annotate(last_observed=Subquery(latest))


def parents_of(child):
    return ParentLink.objects.filter(child=child).select_related("parent").order_by("parent__name")


def active_child_ids(user) -> set:
    """The children whose journals this parent may read now: linked, the agreement signed
    in its current version and the consent question answered (P-1). Cached per request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_acorn_active_child_ids", None)
    if cached is None:
        cached = {
            child_id
            for child_id, expired, onboarded in _parent_links(user)
            if onboarded and not expired
        }
        user._acorn_active_child_ids = cached
    return cached


def require_onboarded(user, child) -> None:
    """A parent whose onboarding for this child isn't finished is told so (403
    agreement_required), not shown the journal."""
    from acorn.core.policy import AgreementRequired

    if child.pk in linked_child_ids(user) and child.pk not in active_child_ids(user):
        if not is_staff_for(user, child):
            raise AgreementRequired(
                "Before you can see the journal, please sign the agreement not to share "
                "anything from Acorn, and answer the photo consent question.",
                next_step="It takes a minute: open Acorn's welcome page to finish.",
            )

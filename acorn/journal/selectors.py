"""Every read of journal entries, decided by who is asking.

Staff of the child's setting see published entries, parents' contributions and their
own drafts; a parent sees published entries and their own contributions. Other people's
drafts, other families' entries and other settings' entries do not exist for them.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.db.models import (
    FETCH_PEERS,
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.http import Http404

from acorn.children.models import Child, ParentLink
from acorn.children.selectors import (
    active_child_ids,
    is_staff_for,
    leader_setting_ids,
    linked_child_ids,
    require_onboarded,
)
from acorn.core.kept import (
    Kept,
    Statement,
    compiled,
    counted_together,
    prefetch_into,
    statement,
)
from acorn.journal.models import (
    AREAS_OF_LEARNING,
    CaptureDraft,
    Comment,
    MediaAppearance,
    MediaItem,
    ObscuredFace,
    Observation,
    ObservationChild,
    SharedRendition,
)
from acorn.org.models import Membership
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import cleared_setting_ids, is_cleared, refusal_for

S = Observation.Status


def _staff_rule(user) -> Q:
    return Q(status__in=[S.PUBLISHED, S.PENDING, S.REJECTED]) | Q(status=S.DRAFT, author=user)


def _staff_reach(user) -> Q:
    """Entries staff may reach as staff (L-3): in their cleared settings, and for
    practitioners only entries about at least one child who hasn't been archived; a
    session leader keeps read access to archived children's entries."""
    from acorn.leaving.rules import archived

    current_child = Exists(
        ObservationChild.objects.filter(observation=OuterRef("pk")).exclude(archived("child_id"))
    )
    return Q(setting_id__in=list(cleared_setting_ids(user))) & (
        Q(setting_id__in=leader_setting_ids(user)) | current_child
    )


def _parent_rule(user) -> Q:
    return Q(status=S.PUBLISHED) | Q(author=user, status__in=[S.PENDING, S.REJECTED])


# What a list of entries (a journal page, its API, the review list) reads of each child
# and photo: the rest stays in the database, so a page builds fewer values (issue 13).
LIST_CHILD_FIELDS = (
    "observation_id",
    "child_id",
    "child__id",
    "child__first_name",
    "child__last_name",  # the review list names one child as "About Xander Y."
)
LIST_MEDIA_FIELDS = (
    "id",
    "observation_id",
    "kind",
    "status",
    "failure_message",
    "width",
    "height",
    "duration",
)


# What a list (a journal page, its API, the review list) never shows of an entry and its
# author: left in the database, so a page converts fewer values (issue 13). Should
# anything ask for one of them, it is read for the whole page at once (FETCH_PEERS).
LIST_ENTRY_DEFERRED = (
    "supervisor",
    "decided_by",
    "decided_at",
    "discussed_at",
    "client_ref",
    "published_at",
    "reviewed_at",
    "created_at",
    "author__password",
    "author__last_login",
    "author__is_superuser",
    "author__email",
    "author__is_active",
    "author__date_joined",
    "author__sessions_valid_after",
)


def _with_children(observations, user=None, *, listing=False):
    links = ObservationChild.objects.select_related("child").order_by("child__first_name")
    if listing:
        observations = observations.defer(*LIST_ENTRY_DEFERRED).fetch_mode(FETCH_PEERS)
        links = links.only(*LIST_CHILD_FIELDS)
    # Into a list of its own (`entry_links`): Django builds a manager and a queryset per
    # entry for a prefetch kept behind `links.all()`, a tenth of a list's time (issue 13).
    prefetches = [Prefetch("links", queryset=links, to_attr="listed_links")]
    if user is not None:
        prefetches.append(media_of_entries(user, listing=listing))
    return observations.select_related("author").prefetch_related(*prefetches)


def entry_links(observation) -> list:
    """An entry's links to its children, first names in order when it came from a list
    (`_with_children`), otherwise read now."""
    listed = getattr(observation, "listed_links", None)
    if listed is not None:
        return listed
    return list(observation.links.select_related("child").order_by("child__first_name"))


def journal_for(user, child: Child):
    """A child's journal as this person may see it, newest first (child already checked
    with child_for)."""
    key, as_staff = _journal_key(user, child)
    # Building this queryset cost a tenth of the page (issue 13): it is kept in this
    # process under everything it is built from, as the media rule is. Who may read the
    # journal is decided on every request, and the database decides every row.
    journal = _JOURNALS.get(key, lambda: _journal_query(user, child, as_staff))
    return journal.all()  # a copy: the kept one is never evaluated or changed


def _journal_key(user, child) -> tuple[tuple, bool]:
    """Whether this person reads the child's journal as staff or as a parent (404 if
    neither, onboarding first for a parent), and everything their journal is built from."""
    if is_staff_for(user, child):
        as_staff = True
    elif child.pk in linked_child_ids(user):
        require_onboarded(user, child)
        as_staff = False
    else:
        raise Http404("No such child.")
    return (as_staff, child.pk, _media_rule_inputs(user, False)), as_staff


_JOURNALS = Kept()


def journal_page(
    user, child: Child, wanted: "JournalFilter", *, offset: int, size: int, authors: bool = True
) -> list:
    """Entries `offset` to `offset + size` of a child's journal as `journal_filtered` gives
    them, with their children and media. `authors` reads each author's row (the page names
    them; the API gives ids). Unfiltered, the page most asked for, it is read by `listed`."""

    def entries():
        found = journal_filtered(user, child, wanted)
        return (found if authors else found.select_related(None))[offset : offset + size]

    if wanted.active:
        return read_listed(user, entries())
    key, _ = _journal_key(user, child)
    return listed(user, entries, ("journal", key, authors, offset, size))


def listed(user, entries, key) -> list:
    """A list of entries built by `entries()` (with `_with_children(..., listing=True)`),
    read by statements compiled once per process (`acorn.core.kept.Statement`): compiling
    a list's three queries took longer than the database took to answer them (issue 13).
    `key` must hold everything `entries()` is built from; the database decides every row
    each time."""
    rows = _LISTS.get(key, lambda: Statement(entries())).rows()
    _finish_listed(user, rows)
    return rows


def read_listed(user, entries) -> list:
    """A list of entries (with `_with_children(..., listing=True)`) read by its queryset,
    as the filtered and the later pages of a journal are, with their children and media
    read as `listed` reads them, so every page of a list costs the same queries."""
    rows = list(entries.prefetch_related(None))
    _finish_listed(user, rows)
    return rows


def _finish_listed(user, rows) -> None:
    """Each entry's children (`entry_links`) and the media this person may see of it
    (`visible_media`)."""
    _attach_links(rows)
    media_key = _media_rule_inputs(user, False)
    prefetch_into(
        rows,
        _LIST_MEDIA,
        media_key,
        lambda ids: _rule_media(user, media_key, listing=True).filter(observation_id__in=ids),
        field="observation",
        to_attr="visible_media",
    )


_LISTS = Kept()


class ListedChild(NamedTuple):
    """What a list shows of an entry's child: no more is read (issue 13)."""

    pk: uuid.UUID
    first_name: str
    last_name: str

    @property
    def id(self) -> uuid.UUID:
        return self.pk


class ListedLink(NamedTuple):
    observation_id: uuid.UUID
    child_id: uuid.UUID
    child: ListedChild


def _attach_links(rows) -> None:
    """Each entry's children in first-name order (`entry_links`), read as plain rows: two
    model instances a child were a tenth of the review list's time."""
    entries = {row.pk: row for row in rows}
    for row in rows:
        row.listed_links = []
    if not entries:
        return
    for observation_id, child_id, first_name, last_name in _links_named.rows(list(entries)):
        child = ListedChild(child_id, first_name, last_name)
        entries[observation_id].listed_links.append(ListedLink(observation_id, child_id, child))


@statement
def _links_named(observation_ids):
    return (
        ObservationChild.objects.filter(observation_id__in=observation_ids)
        .order_by("child__first_name")
        .values_list("observation_id", "child_id", "child__first_name", "child__last_name")
    )


_LIST_MEDIA = Kept()


def _journal_query(user, child, as_staff: bool):
    rule = _staff_rule(user) if as_staff else _parent_rule(user)
    # Ordered by the copies on the child's own link row, so the per-child index
    # (journal_child_newest) gives the order and a page reads only its own rows. The
    # annotations keep keyset paging working (the cursor names these values).
    return _with_children(
        Observation.objects.filter(rule)
        .annotate(journal_child=FilteredRelation("links", condition=Q(links__child=child)))
        .filter(journal_child__child=child)
        .annotate(
            journal_observed_on=F("journal_child__observed_on"),
            journal_created_at=F("journal_child__created_at"),
            # The entry's own id, read from the link row so the index serves the tie-break.
            journal_pk=F("journal_child__observation_id"),
        )
        .order_by("-journal_observed_on", "-journal_created_at", "-journal_pk"),
        user,
        listing=True,
    )


@dataclass(frozen=True)
class JournalFilter:
    """What a reader narrows a child's journal to (issue 14): an area of learning, a date
    range, entries with photos or videos, and words in the text. Empty means everything."""

    area: str = ""
    since: date | None = None
    until: date | None = None
    with_media: bool = False
    text: str = ""

    @property
    def words(self) -> list[str]:
        return [word[:MAX_WORD] for word in self.text.split()[:MAX_WORDS]]

    @property
    def active(self) -> bool:
        return bool(self.area or self.since or self.until or self.with_media or self.words)


MAX_WORDS = 8
MAX_WORD = 60
# A parent's search reads the matching entries' text as they would see it (below); one
# child's journal is a few hundred entries, and this bounds the reading at any size.
SEARCH_CANDIDATES = 2000


def journal_filtered(user, child: Child, wanted: JournalFilter):
    """A child's journal (`journal_for`, so nothing new can be seen) narrowed by `wanted`,
    in the journal's own order, so the page and the API's keyset paging work unchanged."""
    entries = journal_for(user, child)
    if wanted.area in AREAS_OF_LEARNING:
        # The codes are stored as a JSON list; the quotes keep "L" from matching "CL".
        entries = entries.filter(areas__icontains=f'"{wanted.area}"')
    if wanted.since:
        entries = entries.filter(journal_observed_on__gte=wanted.since)
    if wanted.until:
        entries = entries.filter(journal_observed_on__lte=wanted.until)
    if wanted.with_media:
        # Only photos and videos this reader may see: an entry whose only photo is kept
        # from them (C-2) is not "with photos" for them either.
        shown = media_visible_to(user).filter(
            observation=OuterRef("pk"), status=MediaItem.Status.READY
        )
        entries = entries.filter(Exists(shown))
    if wanted.words:
        entries = _text_search(user, child, entries, wanted.words)
    return entries


def _text_search(user, child, entries, words):
    """Entries whose text or next steps hold every word, as this reader reads them.

    Staff read the text as written, so the database answers. A parent reads other
    children's names as initials (C-4): searching the stored text would tell them which
    entries name "Rose". So the database only narrows the candidates, and each candidate's
    text is read again as the parent sees it before it counts."""
    staff = is_staff_for(user, child)
    for word in words:
        # Initials ("Y.Z.") are in the text only as a parent reads it, never as stored.
        if staff or "." not in word:
            entries = entries.filter(Q(text__icontains=word) | Q(next_steps__icontains=word))
    if staff:
        return entries
    from acorn.children.names import redactor_for

    candidates = list(
        entries.prefetch_related(None).values_list("pk", "setting_id", "text", "next_steps")[
            :SEARCH_CANDIDATES
        ]
    )
    redactors = {}
    found = []
    wanted = [word.casefold() for word in words]
    for pk, setting_id, text, next_steps in candidates:
        if setting_id not in redactors:
            redactors[setting_id] = redactor_for(
                user, setting_id, staff=is_cleared(user, setting_id)
            )
        redact = redactors[setting_id]
        shown = f"{redact(text)}\n{redact(next_steps)}".casefold()
        if all(word in shown for word in wanted):
            found.append(pk)
    return entries.filter(pk__in=found)


def gallery_for(user, child: Child):
    """Every photo and video of a child's journal this person may see (their journal's
    entries, through `journal_for`, and each item through `media_visible_to`, so consent
    and the obscured copy apply as everywhere), newest entry first."""
    entries = journal_for(user, child).prefetch_related(None)
    return (
        media_visible_to(user)
        .filter(status=MediaItem.Status.READY, observation__isnull=False)
        .filter(Exists(entries.filter(pk=OuterRef("observation_id"))))
        .select_related("observation")
        .order_by(
            "-observation__observed_on",
            "-observation__created_at",
            "-observation_id",
            "position",
            "created_at",
            "pk",
        )
    )


def observation_for(user, observation_id) -> Observation:
    """One entry, if this person may see it; otherwise 404."""
    try:
        observation_id = uuid.UUID(str(observation_id))
    except ValueError:
        raise Http404("No such entry.") from None
    observation = _with_children(Observation.objects.filter(pk=observation_id), user).first()
    if observation is None:
        raise Http404("No such entry.")
    child_ids = [link.child_id for link in entry_links(observation)]
    own_child = any(cid in active_child_ids(user) for cid in child_ids)
    if is_cleared(user, observation.setting_id):
        visible = Observation.objects.filter(
            _staff_rule(user), _staff_reach(user), pk=observation.pk
        ).exists()
        if not visible and own_child:
            visible = Observation.objects.filter(_parent_rule(user), pk=observation.pk).exists()
    elif own_child:
        visible = Observation.objects.filter(_parent_rule(user), pk=observation.pk).exists()
    else:
        membership = membership_in(user, observation.setting_id)
        if membership is not None:
            # Staff of this setting, not yet cleared: say what is missing.
            raise refusal_for(user, membership.setting)
        linked = [
            link.child
            for link in entry_links(observation)
            if link.child_id in linked_child_ids(user)
        ]
        if linked:
            # A parent who hasn't finished onboarding is led there (P-1).
            require_onboarded(user, linked[0])
        visible = False
    if not visible:
        raise Http404("No such entry.")
    return observation


def children_shown_to(user, observation) -> list:
    """The children of an entry that this person may see named: all of them for staff,
    only their own for a parent (other children's names never reach a parent). Children
    (or, for entries read by `listed`, `ListedChild` rows: id, first and last name)."""
    children = [link.child for link in entry_links(observation)]
    if is_cleared(user, observation.setting_id):
        return children
    own = linked_child_ids(user)
    return [child for child in children if child.pk in own]


def drafts_of(user, setting):
    return _with_children(
        Observation.objects.filter(setting=setting, author=user, status=S.DRAFT).order_by(
            "-updated_at"
        ),
        user,
    )


def pending_contributions(user, setting):
    return _with_children(
        Observation.objects.filter(setting=setting, status=S.PENDING).order_by("created_at"),
        user,
    )


def _visible_observations(user):
    """Observations this person may see, as a queryset (for Exists checks)."""
    own_children = active_child_ids(user)
    as_staff = _staff_reach(user) & _staff_rule(user)
    as_parent = Q(
        Exists(
            ObservationChild.objects.filter(observation=OuterRef("pk"), child_id__in=own_children)
        )
    ) & _parent_rule(user)
    return Observation.objects.filter(as_staff | as_parent)


def media_visible_to(user, *, originals=False):
    """Photos and videos this person may see: those of entries they may see, and their own
    uploads not yet attached. Originals are for staff of the setting only (J-4).

    Consent (C-2) plugs in here, so thumbnails, display copies, originals, pages, API and
    exports all share one rule.

    Building the rule's expression tree cost more than the database took to run it (issue
    13), so the built queryset is kept in this process under everything it is built from
    (`_media_rule_inputs`): the same inputs give the same SQL. Nothing decided is kept:
    the database decides every row again on every request (consent, leaving, entries).
    """
    if not getattr(user, "is_authenticated", False):
        return MediaItem.objects.none()
    key = _media_rule_inputs(user, originals)
    rule = _MEDIA_RULES.get(key, lambda: _media_rule(user, originals=originals))
    return rule.all()  # a copy: the kept one is never evaluated or changed


_MEDIA_RULES = Kept()


def _media_rule_inputs(user, originals: bool) -> tuple:
    """Everything `_media_rule` reads in Python. Anything new it reads must be added here
    (`journal/tests/test_media_rule_kept.py` compares kept and fresh rules)."""
    from acorn.leaving.rules import today

    return (
        user.pk,
        originals,
        today(),
        frozenset(cleared_setting_ids(user)),
        frozenset(leader_setting_ids(user)),
        frozenset(active_child_ids(user)),
        frozenset(linked_child_ids(user)),
    )


def _media_rule(user, *, originals=False, served=True):
    """`media_visible_to`'s rule; with `served`, what a family is served of each item
    (`with_family_copy`), which only delivery reads."""
    from acorn.leaving.rules import archived

    staff_settings = list(cleared_setting_ids(user))
    rule = (
        Q(observation__isnull=True, uploaded_by=user)
        | Q(Exists(_visible_observations(user).filter(pk=OuterRef("observation_id"))))
        # A child's portrait: their setting's staff and their own parents.
        | Q(
            Exists(
                Child.objects.filter(photo=OuterRef("pk")).filter(
                    Q(setting_id__in=staff_settings)
                    & (Q(setting_id__in=leader_setting_ids(user)) | ~archived())
                    | Q(pk__in=active_child_ids(user))
                )
            )
        )
    )
    # C-2: outside their own setting's staff room, nobody sees a photo or video in which
    # another child appears whose parents haven't consented (their own children excepted),
    # unless it is a photo with a shared rendition that obscures every such child's face:
    # then that copy is what they get (`serve_shared`, `shared_files`), never the original.
    as_staff = Q(setting_id__in=staff_settings)
    rule &= as_staff | shareable(linked_child_ids(user))
    # A copy that travelled with a transferred child (L-2) shows other children of the
    # setting it came from: it stays in sight only while their photo consent holds, for
    # everyone (the receiving setting's staff included).
    rule &= ~_carried_out_of_sight()
    if originals:
        rule &= as_staff
    if not served:
        return MediaItem.objects.filter(rule)
    return with_family_copy(MediaItem.objects.filter(rule), linked_child_ids(user), as_staff)


def _carried_out_of_sight():
    """A copy that travelled with a transferred child (L-2) whose other children's photo
    consent no longer holds: out of sight for everyone."""
    from acorn.leaving.models import CarriedAppearance

    return Exists(
        CarriedAppearance.objects.filter(
            media=OuterRef("pk"), obscured=False, child__image_consent=False
        )
    )


def family_journal(child: Child):
    """A child's journal as the child's own family sees it, whoever asks (a keepsake
    answering a subject access request, L-3): published entries, and the contributions
    of the child's parents still waiting or not added, oldest first. Each entry carries
    `visible_media`, its photos and videos as the family is served them
    (`family_media`). Who may ask is checked by the caller."""
    parents = ParentLink.objects.filter(child=child).values("parent_id")
    rule = Q(status=S.PUBLISHED) | Q(
        by_parent=True, author_id__in=parents, status__in=[S.PENDING, S.REJECTED]
    )
    media = family_media({child.pk}).order_by("position", "created_at")
    return (
        Observation.objects.filter(rule, links__child=child)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "links",
                queryset=ObservationChild.objects.select_related("child").order_by(
                    "child__first_name"
                ),
            ),
            Prefetch("media", queryset=media, to_attr="visible_media"),
        )
        .order_by("observed_on", "created_at", "pk")
    )


def family_media(own_child_ids):
    """Photos and videos as a family with these children is served them, whoever asks
    (C-2, issue 16): nothing in which another child without consent can be seen, except a
    photo with a shared rendition obscuring every such child, served as that copy
    (`serve_shared`, `shared_files`: `delivery.storage_name` reads them)."""
    media = MediaItem.objects.filter(shareable(own_child_ids) & ~_carried_out_of_sight())
    return with_family_copy(media, own_child_ids)


def family_replies(child: Child, observations):
    """The child's own family's reply threads on these entries, oldest first: never
    another family's."""
    return (
        Comment.objects.filter(observation__in=observations, child=child)
        .select_related("author", "observation")
        .order_by("created_at")
    )


def prepare_for_family(child: Child, observations, comments=()):
    """C-4 as the child's family reads it, whoever asks: every other child is named by
    initials (the child's own names stay). Sets `shown_text`, `shown_next_steps` and
    `shown_reason`, as `prepare_for_reader` does; staff review feedback is not shown."""
    from acorn.children.names import redactor_keeping

    redactors = {}

    def redactor(setting_id):
        if setting_id not in redactors:
            redactors[setting_id] = redactor_keeping(setting_id, {child.pk})
        return redactors[setting_id]

    for observation in observations:
        redact = redactor(observation.setting_id)
        observation.shown_text = redact(observation.text)
        observation.shown_next_steps = redact(observation.next_steps)
        observation.shown_reason = redact(observation.rejection_reason)
        observation.shown_feedback = ""
    for comment in comments:
        comment.shown_text = redactor(comment.observation.setting_id)(comment.text)
    return observations


def consent_blocked(own_child_ids):
    """C-2's rule, for an Exists on media: another child appears in it (anyone but these
    children, a family's own) whose parents haven't consented. Reports read it too."""
    return MediaAppearance.objects.filter(media=OuterRef("pk"), child__image_consent=False).exclude(
        child_id__in=own_child_ids
    )


def family_copy(own_child_ids):
    """For a Subquery on media: the shared rendition a family with these children gets
    (issue 16). A copy will do only if every other child without consent who appears is
    obscured in it; of those, the one that leaves most faces as they are, so a family
    sees its own children's faces and nobody else's."""
    uncovered = (
        MediaAppearance.objects.filter(media=OuterRef("media_id"), child__image_consent=False)
        .exclude(child_id__in=own_child_ids)
        .exclude(
            Exists(
                ObscuredFace.objects.filter(
                    rendition=OuterRef(OuterRef("pk")), child=OuterRef("child_id")
                )
            )
        )
    )
    return (
        SharedRendition.objects.filter(media=OuterRef("pk"))
        .exclude(Exists(uncovered))
        .order_by("-kept_count", "pk")
    )


def shareable(own_child_ids) -> Q:
    """C-2 for a family with these children: media with no other child without consent
    in it, or photos with a shared rendition for them."""
    return ~Exists(consent_blocked(own_child_ids)) | (
        Q(kind=MediaItem.Kind.PHOTO) & Exists(family_copy(own_child_ids))
    )


def with_family_copy(media, own_child_ids, as_staff: Q | None = None):
    """Annotate each item with what a family with these children is served (delivery
    reads it): `serve_shared` when another child without consent appears (never for
    staff of the setting, `as_staff`), and `shared_files`, that family's shared rendition
    ({"display", "thumb"}, or None while there is none: then nothing is served)."""
    needs_copy = Exists(consent_blocked(own_child_ids))
    if as_staff is not None:
        needs_copy = ~as_staff & needs_copy
    return media.annotate(
        serve_shared=ExpressionWrapper(needs_copy, output_field=BooleanField()),
        shared_files=Case(
            When(
                needs_copy,
                then=Subquery(family_copy(own_child_ids).values("renditions")[:1]),
            ),
            default=None,
            output_field=JSONField(),
        ),
    )


def media_for(user, media_id, *, rendition="display") -> MediaItem:
    try:
        media_id = uuid.UUID(str(media_id))
    except ValueError:
        raise Http404("No such photo or video.") from None
    item = media_visible_to(user, originals=rendition == "original").filter(pk=media_id).first()
    if item is None:
        raise Http404("No such photo or video.")
    return item


def media_of_entries(user, *, listing=False):
    """The prefetch for journal lists: each entry's visible media, in order.

    The rule is `media_visible_to`'s, compiled to SQL once per process for the same
    inputs (`acorn.core.kept.compiled`): compiling its nested subqueries on every request
    took more time than the database took to answer (issue 13). The database still
    decides every row on every request. A prefetch is an outermost query, as a compiled
    rule must be."""
    if getattr(user, "is_authenticated", False):
        media = _rule_media(user, _media_rule_inputs(user, False), listing=listing)
    else:
        media = MediaItem.objects.none()
    return Prefetch("media", queryset=media, to_attr="visible_media")


def _rule_media(user, key, *, listing: bool):
    """`media_visible_to` compiled for `key` (`_media_rule_inputs`), in each entry's order,
    reading only what a list shows if `listing`."""
    if listing:
        # A list links to each photo and never serves it (`media_for` reads the photo
        # again, with which copy that person is served), so it reads the rule without
        # those two columns, a third of the list's media query (issue 13). `listed_only`
        # says so, and delivery refuses such an item rather than guess (fail closed).
        media = _COMPILED_LIST_MEDIA_RULES.get(
            key, lambda: compiled(_media_rule(user, served=False))
        ).all()
        media = media.annotate(listed_only=Value(True, output_field=BooleanField()))
        return media.order_by("position", "created_at").only(*LIST_MEDIA_FIELDS)
    media = _COMPILED_MEDIA_RULES.get(key, lambda: compiled(media_visible_to(user))).all()
    return media.order_by("position", "created_at")


_COMPILED_MEDIA_RULES = Kept()
_COMPILED_LIST_MEDIA_RULES = Kept()


def comments_for(user, observation):
    """Replies on an entry: staff see every family's thread; a parent sees only the
    threads of their own children (P-2, P-3)."""
    comments = Comment.objects.filter(observation=observation).select_related("author")
    if not is_cleared(user, observation.setting_id):
        comments = comments.filter(child_id__in=linked_child_ids(user))
    return comments.order_by("created_at")


def review_list(user, setting, *, unreviewed=True, author_id=None, child_id=None):
    """J-6: published staff entries for session leaders to review, newest first. Nobody
    reviews their own entries, so a leader's own are not offered."""
    observations = Observation.objects.filter(
        setting=setting, status=S.PUBLISHED, by_parent=False
    ).exclude(author=user)
    if unreviewed:
        observations = observations.filter(reviewed_at__isnull=True)
    if author_id:
        observations = observations.filter(author_id=_uuid_or_none(author_id))
    if child_id:
        observations = observations.filter(links__child_id=_uuid_or_none(child_id))
    # The list shows no entry's time of writing (the API's lists do, as its version).
    return _with_children(
        observations.order_by("-published_at").defer("updated_at"), user, listing=True
    )


def review_choices(setting) -> dict:
    from acorn.children.names import names_of_setting

    """The review list's filters: the setting's staff and its children, as (id, name)."""
    return {
        "authors": _authors_named.rows(setting.pk),
        "children": [
            (name.pk, f"{name.first_name} {name.last_name}")
            for name in sorted(names_of_setting(setting.pk), key=lambda name: name.first_name)
        ],
    }


# The review list's filters, asked on every visit: compiled once (`acorn.core.kept`).
@statement
def _authors_named(setting_id):
    return (
        Membership.objects.filter(setting_id=setting_id, is_active=True)
        .order_by("user__name")
        .values_list("user_id", "user__name")
    )


def review_page(
    user, setting, *, size: int, offset: int = 0, unreviewed=True, author_id=None, child_id=None
):
    """Entries `offset` to `offset + size` of `review_list`, read by `listed`."""

    def entries():
        return review_list(
            user, setting, unreviewed=unreviewed, author_id=author_id, child_id=child_id
        )[offset : offset + size]

    # Each filter as `review_list` reads it: given or not, and the id it names if any.
    filters = [(bool(given), given and _uuid_or_none(given)) for given in (author_id, child_id)]
    key = ("review", user.pk, setting.pk, unreviewed, *filters, offset, size)
    return listed(user, entries, key)


def agenda(user, setting):
    return _with_children(
        Observation.objects.filter(
            setting=setting, discuss_at_meeting=True, discussed_at__isnull=True
        ).order_by("reviewed_at"),
        user,
    )


def feedback_for(user, setting):
    """Review feedback a staff member has had on their own entries, newest first."""
    return _with_children(
        Observation.objects.filter(setting=setting, author=user, reviewed_at__isnull=False)
        .exclude(review_feedback="")
        .order_by("-reviewed_at"),
        user,
    )


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def prepare_for_reader(user, observations, comments=()):
    """Set the text each reader may see (C-4): staff read entries as written; for a
    parent, other children's names become initials. Templates and the API show only
    these `shown_*` values. One query per setting involved, whatever the number of entries."""
    from acorn.children.names import redactor_for

    redactors = {}

    def redactor(setting_id):
        if setting_id not in redactors:
            redactors[setting_id] = redactor_for(
                user, setting_id, staff=is_cleared(user, setting_id)
            )
        return redactors[setting_id]

    for observation in observations:
        redact = redactor(observation.setting_id)
        observation.shown_text = redact(observation.text)
        observation.shown_next_steps = redact(observation.next_steps)
        observation.shown_reason = redact(observation.rejection_reason)
        observation.shown_feedback = observation.review_feedback
    for comment in comments:
        comment.shown_text = redactor(comment.observation.setting_id)(comment.text)
    return observations


# Today says "100+" beyond this: counting a large setting's whole backlog on every visit
# cost more than the rest of the page (issue 13), and the list shows 50 at a time anyway.
UNREVIEWED_SHOWN = 100


def waiting_counts(setting, user) -> dict:
    """For the session leaders' Today page: what is waiting for them (nobody reviews their
    own entries, so a leader's own are not counted)."""
    unreviewed, contributions, agenda = counted_together(
        (_unreviewed, (setting.pk, user.pk)),
        (_contributions, (setting.pk,)),
        (_on_agenda, (setting.pk,)),
    )
    return {
        "contributions": contributions,
        "unreviewed": min(unreviewed, UNREVIEWED_SHOWN),
        "unreviewed_more": unreviewed > UNREVIEWED_SHOWN,
        "agenda": agenda,
    }


# Today's counts, compiled once per process (`acorn.core.kept.statement`). Each reads
# only ids: counted over every column, the database read each entry's whole row.
@statement
def _unreviewed(setting_id, user_id):
    return (
        Observation.objects.filter(
            setting_id=setting_id, status=S.PUBLISHED, by_parent=False, reviewed_at__isnull=True
        )
        .exclude(author_id=user_id)
        .values_list("pk")[: UNREVIEWED_SHOWN + 1]
    )


@statement
def _contributions(setting_id):
    return Observation.objects.filter(setting_id=setting_id, status=S.PENDING).values_list("pk")


@statement
def _on_agenda(setting_id):
    return Observation.objects.filter(
        setting_id=setting_id, discuss_at_meeting=True, discussed_at__isnull=True
    ).values_list("pk")


def capture_drafts_of(user, *, setting_id, kind, child=None):
    """This person's own unsent work for one page, newest first. Nobody else's, ever."""
    if not getattr(user, "is_authenticated", False):
        return CaptureDraft.objects.none()
    return CaptureDraft.objects.filter(
        author=user, setting_id=setting_id, kind=kind, child=child
    ).order_by("-updated_at")


def capture_draft_of(user, draft_id) -> CaptureDraft:
    """One of this person's own unsent drafts; anyone else's does not exist (404)."""
    try:
        draft_id = uuid.UUID(str(draft_id))
    except ValueError:
        raise Http404("No such draft.") from None
    draft = CaptureDraft.objects.filter(pk=draft_id, author=user).first()
    if draft is None:
        raise Http404("No such draft.")
    return draft

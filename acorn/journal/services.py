from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from acorn.audit.services import audit_record
from acorn.children.models import Child
from acorn.children.selectors import linked_child_ids, require_onboarded
from acorn.journal import media as media_files
from acorn.journal.models import (
    AREAS_OF_LEARNING,
    CaptureDraft,
    Comment,
    MediaAppearance,
    MediaItem,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from acorn.journal.policy import is_journal_staff, may_change_entry, require_staff_write
from acorn.leaving.rules import require_journal_open
from acorn.notices import services as notices
from acorn.ops.backup import record_deletions
from acorn.org.models import Setting
from acorn.org.selectors import membership_in


class EditConflict(Exception):
    """Someone else saved the entry after this editor opened it (no lost update): the
    edit is not applied, and `current` is the entry as it now stands, so both texts can
    be shown to the person who was too late."""

    def __init__(self, current: Observation):
        super().__init__("Someone else changed this entry while you were editing it.")
        self.current = current


class ChildrenNotYours(PermissionDenied):
    """A key person changing someone else's entry chose a child who isn't theirs (403 in
    the API; the edit page says so beside the children, keeping what was typed)."""


def _same_moment(saved, read) -> bool:
    """The API's JSON carries times to the millisecond."""

    def ms(moment):
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    return ms(saved) == ms(read)


MAX_TEXT = 20_000
EARLIEST_OBSERVED_ON = date(2000, 1, 1)


def _clean(*, children, text: str, observed_on: date, areas, has_media=False) -> list[str]:
    if not children:
        raise ValidationError({"children": "Choose at least one child."})
    require_journal_open(children)
    if not (text or "").strip() and not has_media:
        raise ValidationError({"text": "Write what you saw, or add a photo or video."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Please keep the text under {MAX_TEXT:,} characters."})
    if observed_on < EARLIEST_OBSERVED_ON:
        raise ValidationError(
            {"observed_on": "That date is too long ago: please check it (from 1 January 2000)."}
        )
    # "Today" where the setting is, not where the server is.
    zone = ZoneInfo(Setting.objects.only("timezone").get(pk=children[0].setting_id).timezone)
    if observed_on > timezone.localdate(timezone=zone):
        raise ValidationError({"observed_on": "The date observed can't be in the future."})
    unknown = [code for code in areas or [] if code not in AREAS_OF_LEARNING]
    if unknown:
        raise ValidationError({"areas": f"Unknown area of learning: {', '.join(unknown)}."})
    return list(dict.fromkeys(areas or []))


def eyfs_tags(areas, aspects, characteristics) -> tuple[list, list, list]:
    """EYFS aspects and characteristics of learning, checked; an aspect brings its area."""
    from acorn.eyfs.selectors import clean_tags

    return clean_tags(areas=areas, aspects=aspects, characteristics=characteristics)


S = Observation.Status
MAX_MEDIA = 20


@dataclass
class MediaChoice:
    """A photo or video to attach, and who can be seen in it (None: the entry's children)."""

    media: MediaItem
    appears: list | None = None


def _is_staff(person, setting_id) -> bool:
    return is_journal_staff(person, setting_id)


PORTRAIT_REFUSAL = (
    "A child's portrait can't be added to a journal entry. Please choose another photo."
)
NO_ONE_APPEARS = (
    "Say who can be seen in each photo or video: at least the children the entry is about."
)


def _portrait_ids(item_ids) -> set:
    """The media items that are children's portraits: they belong to the child, never to
    an entry (finding 8)."""
    return set(Child.objects.filter(photo__in=list(item_ids)).values_list("photo_id", flat=True))


def _check_media(*, author, setting_id, choices, children, observation=None):
    """Checks what is to be attached, and settles who appears in each item (C-1): never
    fewer than the children it is known to show, that is the entry's children and anyone
    already recorded in it. An empty `appears` is refused, not read as "nobody"."""
    if len(choices) > MAX_MEDIA:
        raise ValidationError({"media": f"Please add at most {MAX_MEDIA} photos and videos."})
    staff = _is_staff(author, setting_id)
    own = linked_child_ids(author)
    portraits = _portrait_ids(choice.media.pk for choice in choices)
    for choice in choices:
        item = choice.media
        if item.pk in portraits:
            raise ValidationError({"media": PORTRAIT_REFUSAL})
        if choice.appears is not None and not choice.appears:
            raise ValidationError({"media": NO_ONE_APPEARS})
        if item.setting_id != setting_id or item.observation_id not in (
            None,
            getattr(observation, "pk", None),
        ):
            raise ValidationError({"media": "That photo or video can't be added to this entry."})
        if item.uploaded_by_id != author.pk and (not staff or item.observation_id is None):
            # A new photo is the writer's own upload; staff keep what is already in the
            # entry, whoever added it.
            raise ValidationError({"media": "That photo or video can't be added to this entry."})
        if item.status == MediaItem.Status.FAILED:
            raise ValidationError({"media": item.failure_message or media_files.FAILED_MESSAGE})
        for child in choice.appears or []:
            if child.setting_id != setting_id:
                raise ValidationError({"media": "Only children of this setting can appear."})
            if not staff and child.pk not in own:
                raise ValidationError({"media": "You can only tag your own child."})
        if choice.appears is not None and not staff:
            # A parent's photo shows their child; they can't tag anyone else.
            choice.appears = [c for c in choice.appears if c.pk in own] or None
        known = list(children)
        if (
            choice.appears is None
            and observation is not None
            and item.observation_id == observation.pk
        ):
            # Nobody said who appears: keep everyone already recorded in it. A list
            # given says who appears (as `media_set_appearances` does), never fewer than
            # the entry's children.
            known += list(item.appears.all())
        choice.appears = list({c.pk: c for c in known + (choice.appears or [])}.values())


def _attach_media(observation, choices) -> None:
    for position, choice in enumerate(choices):
        item = choice.media
        item.observation = observation
        item.position = position
        item.save(update_fields=["observation", "position"])
        MediaAppearance.objects.filter(media=item).delete()
        MediaAppearance.objects.bulk_create(
            MediaAppearance(media=item, child=child)
            for child in {c.pk: c for c in choice.appears}.values()
        )


def _link_children(observation, children) -> None:
    ObservationChild.objects.filter(observation=observation).exclude(
        child__in=[c.pk for c in children]
    ).delete()
    existing = set(
        ObservationChild.objects.filter(observation=observation).values_list("child_id", flat=True)
    )
    ObservationChild.objects.bulk_create(
        ObservationChild(
            observation=observation,
            child=child,
            observed_on=observation.observed_on,
            created_at=observation.created_at,
        )
        for child in children
        if child.pk not in existing
    )
    ObservationChild.objects.filter(observation=observation).update(
        observed_on=observation.observed_on
    )


def _audit_each_child(observation, action, actor, request, child_ids=None, detail=None):
    if child_ids is None:
        child_ids = list(observation.links.values_list("child_id", flat=True))
    for child_id in child_ids:
        audit_record(
            action=action,
            actor=actor,
            request=request,
            setting_id=observation.setting_id,
            child_id=child_id,
            object_type="observation",
            object_id=observation.pk,
            detail=detail,
        )


def _notify_published(observation, child_ids=None) -> None:
    """Parents hear of a published entry; `child_ids`: only those children's parents (the
    children an edit adds to an entry already published)."""
    from acorn.journal.tasks import notify_entry_published

    if child_ids is None:
        notices.entry_published(observation=observation)
        transaction.on_commit(lambda: notify_entry_published.enqueue(str(observation.pk)))
        return
    notices.entry_published(
        observation=observation, children=list(Child.objects.filter(pk__in=child_ids))
    )
    ids = [str(pk) for pk in child_ids]
    transaction.on_commit(lambda: notify_entry_published.enqueue(str(observation.pk), ids))


@transaction.atomic
def observation_create(
    *,
    author,
    children,
    text: str,
    observed_on: date,
    areas=(),
    aspects=(),
    characteristics=(),
    next_steps: str = "",
    publish: bool = False,
    media=(),
    client_ref: str | None = None,
    request=None,
) -> Observation:
    """Staff record an observation (draft or published); a parent's becomes a pending
    contribution. Every child must belong to one setting the author may write for.
    A repeated `client_ref` returns the entry already made (double submit, retry)."""
    if client_ref:
        existing = Observation.objects.filter(author=author, client_ref=client_ref).first()
        if existing is not None:
            return existing
    children = list({child.pk: child for child in children}.values())
    media = list(media)
    areas, aspects, characteristics = eyfs_tags(areas, aspects, characteristics)
    areas = _clean(
        children=children, text=text, observed_on=observed_on, areas=areas, has_media=bool(media)
    )
    settings_ids = {child.setting_id for child in children}
    if len(settings_ids) != 1:
        raise ValidationError({"children": "All children must be from the same setting."})
    setting_id = settings_ids.pop()
    supervisor = None
    parent_of_all = all(child.pk in linked_child_ids(author) for child in children)
    # Staff of this setting write as staff; a member who isn't cleared writes as a
    # parent about their own child, and is refused about anyone else's.
    as_staff = _is_staff(author, setting_id) or (
        membership_in(author, setting_id) is not None and not parent_of_all
    )
    if as_staff:
        # A-7 decides publishing; a draft is private to its author, so it can be saved
        # at any time and published later, when the rule allows.
        supervisor = require_staff_write(
            person=author,
            setting_id=setting_id,
            request=request,
            what="record observations",
            publishing=publish,
        )
        status = S.PUBLISHED if publish else S.DRAFT
        by_parent = False
    elif parent_of_all:
        for child in children:
            require_onboarded(author, child)
        status = S.PENDING
        by_parent = True
    else:
        raise ValidationError({"children": "You can only write about children you may see."})
    _check_media(author=author, setting_id=setting_id, choices=media, children=children)
    now = timezone.now()
    values = dict(
        setting_id=setting_id,
        author=author,
        text=(text or "").strip(),
        observed_on=observed_on,
        areas=areas,
        aspects=aspects,
        characteristics=characteristics,
        next_steps=(next_steps or "").strip(),
        status=status,
        by_parent=by_parent,
        supervisor=supervisor,
        client_ref=client_ref or None,
        created_at=now,
        updated_at=now,
        published_at=now if status == S.PUBLISHED else None,
    )
    try:
        with transaction.atomic():
            observation = Observation.objects.create(**values)
    except IntegrityError:
        # The same submit arrived twice at once: the other one made the entry.
        existing = Observation.objects.filter(author=author, client_ref=client_ref).first()
        if client_ref and existing is not None:
            return existing
        raise
    _link_children(observation, children)
    _attach_media(observation, media)
    _audit_each_child(
        observation, f"observation.create.{status}", author, request, [c.pk for c in children]
    )
    if status == S.PUBLISHED:
        _notify_published(observation)
    elif status == S.PENDING:
        notices.contribution_added(observation=observation)
    return observation


def _require_staff(person, observation, what="do that", request=None, publishing=True):
    """The rules of create (A-5, A-6, A-7) for a write on this entry, in its setting.
    The author's own draft is written as create writes a draft: without A-7."""
    require_journal_open([link.child for link in observation.links.select_related("child")])
    return require_staff_write(
        person=person,
        setting_id=observation.setting_id,
        request=request,
        what=what,
        publishing=publishing,
    )


def _require_may_change(person, observation, what="edit"):
    if not may_change_entry(person, observation):
        if observation.status == S.DRAFT:
            raise PermissionDenied(f"Only the author can {what} a draft.")
        raise PermissionDenied(
            f"You can {what} your own entries, and those about your key children. "
            "Please ask the author or a session leader to change this one."
        )


@transaction.atomic
def observation_publish(*, observation: Observation, published_by, request=None) -> Observation:
    supervisor = _require_staff(published_by, observation, "publish entries", request)
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    _require_may_change(published_by, observation, "publish")
    if observation.status != S.DRAFT:
        raise ValidationError("Only a draft can be published.")
    now = timezone.now()
    observation.status = S.PUBLISHED
    observation.published_at = now
    observation.updated_at = now
    observation.supervisor = supervisor
    observation.save(update_fields=["status", "published_at", "updated_at", "supervisor"])
    _audit_each_child(observation, "observation.publish", published_by, request)
    _notify_published(observation)
    return observation


def _media_snapshot(items) -> list[dict]:
    """What a revision keeps of an entry's photos and videos (ids, kinds, who appears)."""
    appearing = {}
    for row in MediaAppearance.objects.filter(media__in=[item.pk for item in items]).values(
        "media_id", "child_id"
    ):
        appearing.setdefault(row["media_id"], []).append(str(row["child_id"]))
    return [
        {"id": str(item.pk), "kind": item.kind, "appears": sorted(appearing.get(item.pk, []))}
        for item in items
    ]


@transaction.atomic
def observation_update(
    *,
    observation: Observation,
    editor,
    request=None,
    media=None,
    children=None,
    expected_updated_at=None,
    **fields,
) -> Observation:
    """Staff edit an entry; what it said before is kept as a revision (J-5), with its
    children, photos and tags, so the history can show what each edit changed. Drafts are
    edited only by their author.

    `children`, when given, replaces the entry's children: at least one, all of its
    setting and still in the journal (as create). A key person who may change the entry
    only because every child in it is theirs may add only their own key children. A child
    taken off leaves that child's journal; their family's replies on it are kept but shown
    nowhere (replies are per child thread, and a thread is shown only for the entry's
    children), so putting the child back loses nothing. They still count
    as appearing in the photos until someone says otherwise (C-1: safer to over-protect).
    Children added to a published entry have their parents told as on publishing.

    `media`, when given, replaces the entry's photos and videos: new ones must be the
    editor's own uploads; removed ones are deleted with their files (out of every journal,
    report and export). `expected_updated_at`: when the editor's copy was read; if the
    entry changed since, EditConflict (no lost update)."""
    own_draft = observation.status == S.DRAFT and observation.author_id == editor.pk
    _require_staff(editor, observation, "edit entries", request, publishing=not own_draft)
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    _require_may_change(editor, observation, "edit")
    if expected_updated_at is not None and not _same_moment(
        observation.updated_at, expected_updated_at
    ):
        raise EditConflict(observation)
    current_children = list(observation.children.all())
    new_children = list({c.pk: c for c in children}.values()) if children is not None else None
    publish = fields.pop("publish", False)
    allowed = {"text", "observed_on", "areas", "aspects", "characteristics", "next_steps"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"These can't be changed here: {', '.join(sorted(unknown))}.")
    proposed = {
        "text": fields.get("text", observation.text),
        "observed_on": fields.get("observed_on", observation.observed_on),
        "areas": fields.get("areas", observation.areas),
    }
    target_children = new_children if new_children is not None else current_children
    if any(c.setting_id != observation.setting_id for c in target_children):
        raise ValidationError({"children": "All children must be from the same setting."})
    added = [c for c in target_children if c.pk not in {x.pk for x in current_children}]
    removed_children = [c for c in current_children if c.pk not in {x.pk for x in target_children}]
    if added or removed_children:
        require_journal_open(added + removed_children)
        if target_children and not may_change_entry(editor, observation, target_children):
            raise ChildrenNotYours(
                "You can add your own key children to this entry. Please ask the author "
                "or a session leader to add anyone else."
            )
    existing_media = list(observation.media.all())
    has_media = bool(media) if media is not None else bool(existing_media)
    tags = eyfs_tags(
        proposed["areas"],
        fields.get("aspects", observation.aspects),
        fields.get("characteristics", observation.characteristics),
    )
    proposed["areas"], aspects, characteristics = tags
    areas = _clean(children=target_children, has_media=has_media, **proposed)
    if media is not None:
        media = list(media)
        _check_media(
            author=editor,
            setting_id=observation.setting_id,
            choices=media,
            children=target_children,
            observation=observation,
        )
    ObservationRevision.objects.create(
        observation=observation,
        edited_by=editor,
        text=observation.text,
        observed_on=observation.observed_on,
        areas=observation.areas,
        aspects=observation.aspects,
        characteristics=observation.characteristics,
        next_steps=observation.next_steps,
        child_ids=[str(c.pk) for c in current_children],
        media=_media_snapshot(existing_media),
    )
    observation.text = (proposed["text"] or "").strip()
    observation.observed_on = proposed["observed_on"]
    observation.areas = areas
    observation.aspects = aspects
    observation.characteristics = characteristics
    observation.next_steps = (fields.get("next_steps", observation.next_steps) or "").strip()
    observation.updated_at = timezone.now()
    observation.save()
    if new_children is not None:
        _link_children(observation, new_children)
    if media is None and new_children is not None:
        # The entry's children are known to appear in its photos and videos (C-1).
        MediaAppearance.objects.bulk_create(
            [
                MediaAppearance(media=item, child=child)
                for item in existing_media
                for child in new_children
            ],
            ignore_conflicts=True,
        )
    if media is not None:
        kept = {choice.media.pk for choice in media}
        removed = _detach_what_belongs_elsewhere(
            [item for item in existing_media if item.pk not in kept]
        )
        MediaItem.objects.filter(pk__in=[item.pk for item in removed]).delete()
        media_files.media_delete_files(removed)
        _attach_media(observation, media)
    else:
        ObservationChild.objects.filter(observation=observation).update(
            observed_on=observation.observed_on
        )
    # Every journal the edit touched, the one a child left included.
    _audit_each_child(
        observation,
        "observation.edit",
        editor,
        request,
        [c.pk for c in target_children] + [c.pk for c in removed_children],
    )
    if publish and observation.status == S.DRAFT:
        return observation_publish(observation=observation, published_by=editor, request=request)
    if added and observation.status == S.PUBLISHED:
        _notify_published(observation, child_ids=[c.pk for c in added])
    return observation


def _detach_what_belongs_elsewhere(items) -> list:
    """Of the items leaving an entry, those that belong to something else (a child's
    portrait) are only detached, never deleted; returns the ones that may be deleted."""
    portraits = _portrait_ids(item.pk for item in items)
    if portraits:
        MediaItem.objects.filter(pk__in=portraits).update(observation=None)
    return [item for item in items if item.pk not in portraits]


@transaction.atomic
def observation_delete(*, observation: Observation, deleted_by, request=None) -> None:
    """Staff delete an entry for good: rows, photos, videos and every rendition (J-5).
    A media item that belongs to something else (a portrait) is left alone."""
    own_draft = observation.status == S.DRAFT and observation.author_id == deleted_by.pk
    _require_staff(deleted_by, observation, "delete entries", request, publishing=not own_draft)
    _require_may_change(deleted_by, observation, "delete")
    child_ids = list(observation.links.values_list("child_id", flat=True))
    observation_id = observation.pk
    items = _detach_what_belongs_elsewhere(list(MediaItem.objects.filter(observation=observation)))
    _audit_each_child(
        observation,
        "observation.delete",
        deleted_by,
        request,
        child_ids,
        detail={"media_deleted": len(items)},
    )
    observation.delete()
    record_deletions("observation", [observation_id])
    media_files.media_delete_files(items)


def _notify_decided(observation) -> None:
    from acorn.journal.tasks import notify_contribution_decided

    notices.contribution_decided(observation=observation)
    transaction.on_commit(lambda: notify_contribution_decided.enqueue(str(observation.pk)))


@transaction.atomic
def contribution_approve(*, observation: Observation, approved_by, request=None) -> Observation:
    _require_staff(approved_by, observation, "approve contributions", request)
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.status != S.PENDING:
        raise ValidationError("This contribution has already been decided.")
    now = timezone.now()
    observation.status = S.PUBLISHED
    observation.published_at = now
    observation.decided_at = now
    observation.decided_by = approved_by
    observation.updated_at = now
    observation.save()
    _audit_each_child(observation, "contribution.approve", approved_by, request)
    _notify_decided(observation)
    return observation


@transaction.atomic
def contribution_reject(
    *, observation: Observation, rejected_by, reason: str, request=None
) -> Observation:
    _require_staff(rejected_by, observation, "decide on contributions", request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Please give the parent a reason."})
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.status != S.PENDING:
        raise ValidationError("This contribution has already been decided.")
    now = timezone.now()
    observation.status = S.REJECTED
    observation.rejection_reason = reason[:2000]
    observation.decided_at = now
    observation.decided_by = rejected_by
    observation.updated_at = now
    observation.save()
    _audit_each_child(observation, "contribution.reject", rejected_by, request)
    _notify_decided(observation)
    return observation


@transaction.atomic
def comment_add(*, observation: Observation, author, text: str, child=None, request=None):
    """A reply on a published entry (P-3). Staff reply within one family's thread (the
    child's); a parent replies in their own child's thread."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write a reply first."})
    if len(text) > 5000:
        raise ValidationError({"text": "Please keep replies under 5,000 characters."})
    if observation.status != S.PUBLISHED:
        raise ValidationError("Replies can be added once the entry is in the journal.")
    require_journal_open([link.child for link in observation.links.select_related("child")])
    child_ids = [link.child_id for link in observation.links.all()]
    staff = _is_staff(author, observation.setting_id)
    own_children = [cid for cid in child_ids if cid in linked_child_ids(author)]
    if staff or (membership_in(author, observation.setting_id) and not own_children):
        _require_staff(author, observation, "reply as staff", request)
        staff = True
        if child is None:
            if len(child_ids) != 1:
                raise ValidationError({"child": "Choose which child's family you're replying to."})
            child_id = child_ids[0]
        else:
            child_id = child.pk
    else:
        own = [cid for cid in child_ids if cid in linked_child_ids(author)]
        if child is not None and child.pk in own:
            own = [child.pk]
        if not own:
            raise PermissionDenied("You can only reply about your own child.")
        child_id = own[0]
    if child_id not in child_ids:
        raise ValidationError({"child": "That child isn't in this entry."})
    comment = Comment.objects.create(
        observation=observation, child_id=child_id, author=author, by_staff=staff, text=text
    )
    audit_record(
        action="comment.add",
        actor=author,
        request=request,
        setting_id=observation.setting_id,
        child_id=child_id,
        object_type="comment",
        object_id=comment.pk,
    )
    if staff:
        notices.staff_replied(comment=comment)
    else:
        notices.parent_replied(comment=comment)
    return comment


@transaction.atomic
def observation_review(
    *, observation: Observation, reviewer, feedback: str = "", discuss: bool = False, request=None
) -> Observation:
    """J-6: a session leader reviews an entry, with feedback for its author."""
    _require_staff(reviewer, observation, "review observations", request)
    if not membership_in(reviewer, observation.setting_id).is_session_leader:
        raise PermissionDenied("Only session leaders review observations.")
    if observation.author_id == reviewer.pk:
        raise PermissionDenied("Nobody reviews their own entries: another session leader will.")
    observation.reviewed_by = reviewer
    observation.reviewed_at = timezone.now()
    observation.review_feedback = (feedback or "").strip()[:5000]
    observation.discuss_at_meeting = bool(discuss)
    if discuss:
        observation.discussed_at = None
    observation.save(
        update_fields=[
            "reviewed_by",
            "reviewed_at",
            "review_feedback",
            "discuss_at_meeting",
            "discussed_at",
        ]
    )
    _audit_each_child(observation, "observation.review", reviewer, request)
    notices.feedback_given(observation=observation, reviewer=reviewer)
    return observation


@transaction.atomic
def agenda_mark_discussed(*, observation: Observation, leader, request=None) -> Observation:
    _require_staff(leader, observation, "manage the staff-meeting agenda", request)
    if not membership_in(leader, observation.setting_id).is_session_leader:
        raise PermissionDenied("Only session leaders manage the staff-meeting agenda.")
    observation.discussed_at = timezone.now()
    observation.save(update_fields=["discussed_at"])
    _audit_each_child(observation, "observation.discussed", leader, request)
    return observation


@transaction.atomic
def media_set_appearances(*, media: MediaItem, children, changed_by, request=None) -> MediaItem:
    """C-1: staff say who can be seen in a photo or video of an entry. They can add
    children and take off those added earlier, but the entry's own children always
    count as appearing (they are the ones it is known to show)."""
    require_staff_write(
        person=changed_by,
        setting_id=media.setting_id,
        request=request,
        what="change who appears",
    )
    require_journal_open(list(children))
    if media.observation_id is not None:
        require_journal_open(
            [link.child for link in media.observation.links.select_related("child")]
        )
    if media.observation_id is None:
        raise ValidationError("Who appears can be changed once the photo is in an entry.")
    children = list({c.pk: c for c in children}.values())
    if any(child.setting_id != media.setting_id for child in children):
        raise ValidationError("Only children of this setting can appear.")
    if not children:
        raise ValidationError("Choose at least one child who can be seen.")
    entry_children = Child.objects.filter(observations=media.observation_id)
    children = list({c.pk: c for c in [*entry_children, *children]}.values())
    MediaAppearance.objects.filter(media=media).delete()
    MediaAppearance.objects.bulk_create(MediaAppearance(media=media, child=c) for c in children)
    audit_record(
        action="media.appearances",
        actor=changed_by,
        request=request,
        setting_id=media.setting_id,
        object_type="media",
        object_id=media.pk,
        detail={"children": [str(c.pk) for c in children]},
    )
    return media


def media_reach(media: MediaItem, entry_children) -> dict:
    """C-3: in which of the entry's journals parents will see this item, and why not."""
    appearing = list(media.appears.all())
    # C-2: whose faces each shared rendition hides (photos only; one copy per family view).
    copies: dict = {}
    if media.kind == "photo":
        for copy_id, child_id in media.obscured.values_list("rendition_id", "child_id"):
            copies.setdefault(copy_id, set()).add(child_id)
    shown_in, hidden_in, obscured_in = [], [], []
    for child in entry_children:
        blockers = [y for y in appearing if y.pk != child.pk and not y.image_consent]
        if blockers and any({y.pk for y in blockers} <= hidden for hidden in copies.values()):
            obscured_in.append((child, blockers))
        else:
            (hidden_in if blockers else shown_in).append((child, blockers))
    return {
        "appearing": appearing,
        "shown_in": shown_in,
        "hidden_in": hidden_in,
        "obscured_in": obscured_in,
    }


# Unsent work on the capture page and "add something from home": the author's own,
# saved as they type (see CaptureDraft). Not audited line by line: nobody else reads it.


def capture_draft_save(
    *,
    author,
    setting,
    kind: str,
    client_ref: str,
    child=None,
    text: str = "",
    next_steps: str = "",
    observed_on: date | None = None,
    child_ids=(),
    areas=(),
    aspects=(),
    characteristics=(),
    media_ids=(),
) -> CaptureDraft | None:
    """Keep what has been typed so far. The caller has already narrowed child_ids and
    media_ids to what this person may choose. An attempt with nothing in it keeps nothing."""
    client_ref = (client_ref or "").strip()
    if not client_ref or len(client_ref) > 64:
        raise ValidationError({"client_ref": "This page needs reloading before it can save."})
    if len(text) > MAX_TEXT or len(next_steps) > MAX_TEXT:
        raise ValidationError({"text": f"Please keep the text under {MAX_TEXT:,} characters."})
    mine = CaptureDraft.objects.filter(author=author, client_ref=client_ref)
    if Observation.objects.filter(author=author, client_ref=client_ref).exists():
        # Already sent (a late autosave after Publish): there is nothing unsent to keep.
        mine.delete()
        return None
    if not (text.strip() or next_steps.strip() or child_ids or media_ids):
        mine.delete()
        return None
    values = {
        "setting": setting,
        "kind": kind,
        "child": child,
        "text": text,
        "next_steps": next_steps,
        "observed_on": observed_on,
        "child_ids": [str(c) for c in child_ids],
        "areas": [a for a in areas if a in AREAS_OF_LEARNING],
        **_known_tags(aspects, characteristics),
        "media_ids": [str(m) for m in media_ids],
        "updated_at": timezone.now(),
    }
    for attempt in range(2):
        try:
            with transaction.atomic():
                draft, _ = CaptureDraft.objects.update_or_create(
                    author=author, client_ref=client_ref, defaults=values
                )
            return draft
        except IntegrityError:
            # Two saves of the same attempt raced (a retry after a slow answer): the
            # second finds the row the first made.
            if attempt:
                raise
    return None  # pragma: no cover


def _known_tags(aspects, characteristics) -> dict:
    """A draft keeps the EYFS codes that exist; anything else is dropped, not refused."""
    from acorn.eyfs.selectors import codes

    known = codes()
    return {
        "aspects": [c for c in dict.fromkeys(aspects) if c in known.aspects],
        "characteristics": [
            c for c in dict.fromkeys(characteristics) if c in known.characteristics
        ],
    }


def capture_draft_discard(*, author, draft_id=None, client_ref=None) -> int:
    """Throw away unsent work: by id (the offer on the page) or by the attempt's own
    reference (its Discard button, or once it has been sent)."""
    drafts = CaptureDraft.objects.filter(author=author)
    if draft_id is not None:
        drafts = drafts.filter(pk=draft_id)
    elif client_ref:
        drafts = drafts.filter(client_ref=client_ref)
    else:
        return 0
    deleted, _ = drafts.delete()
    return deleted

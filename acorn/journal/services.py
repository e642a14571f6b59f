from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from acorn.audit.services import audit_record
from acorn.children.selectors import linked_child_ids, require_onboarded
from acorn.journal import media as media_files
from acorn.journal.models import (
    AREAS_OF_LEARNING,
    Comment,
    MediaAppearance,
    MediaItem,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from acorn.org.rules import observation_supervisor
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import is_cleared

MAX_TEXT = 20_000


def _clean(*, children, text: str, observed_on: date, areas, has_media=False) -> list[str]:
    if not children:
        raise ValidationError({"children": "Choose at least one child."})
    if not (text or "").strip() and not has_media:
        raise ValidationError({"text": "Write what you saw, or add a photo or video."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Please keep the text under {MAX_TEXT:,} characters."})
    if observed_on > timezone.localdate():
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
    return is_cleared(person, setting_id)


def _check_media(*, author, setting_id, choices, children, observation=None):
    if len(choices) > MAX_MEDIA:
        raise ValidationError({"media": f"Please add at most {MAX_MEDIA} photos and videos."})
    staff = _is_staff(author, setting_id)
    own = linked_child_ids(author)
    for choice in choices:
        item = choice.media
        if item.setting_id != setting_id or item.observation_id not in (
            None,
            getattr(observation, "pk", None),
        ):
            raise ValidationError({"media": "That photo or video can't be added to this entry."})
        if item.uploaded_by_id != author.pk and not staff:
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
        if choice.appears is None:
            choice.appears = list(children)


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


def _notify_published(observation) -> None:
    from acorn.journal.tasks import notify_entry_published

    transaction.on_commit(lambda: notify_entry_published.enqueue(str(observation.pk)))


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
    if _is_staff(author, setting_id):
        supervisor = observation_supervisor(author=author, setting_id=setting_id)
        status = S.PUBLISHED if publish else S.DRAFT
        by_parent = False
    elif all(child.pk in linked_child_ids(author) for child in children):
        for child in children:
            require_onboarded(author, child)
        status = S.PENDING
        by_parent = True
    else:
        raise ValidationError({"children": "You can only write about children you may see."})
    _check_media(author=author, setting_id=setting_id, choices=media, children=children)
    now = timezone.now()
    observation = Observation.objects.create(
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
    _link_children(observation, children)
    _attach_media(observation, media)
    _audit_each_child(
        observation, f"observation.create.{status}", author, request, [c.pk for c in children]
    )
    if status == S.PUBLISHED:
        _notify_published(observation)
    return observation


def _require_staff(person, observation, what="do that"):
    if not _is_staff(person, observation.setting_id):
        raise PermissionDenied(f"Only staff of the setting can {what}.")


@transaction.atomic
def observation_publish(*, observation: Observation, published_by, request=None) -> Observation:
    _require_staff(published_by, observation, "publish entries")
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.status != S.DRAFT:
        raise ValidationError("Only a draft can be published.")
    now = timezone.now()
    observation.status = S.PUBLISHED
    observation.published_at = now
    observation.updated_at = now
    observation.save(update_fields=["status", "published_at", "updated_at"])
    _audit_each_child(observation, "observation.publish", published_by, request)
    _notify_published(observation)
    return observation


@transaction.atomic
def observation_update(
    *, observation: Observation, editor, request=None, media=None, children=None, **fields
) -> Observation:
    """Staff edit an entry; what it said before is kept as a revision (J-5). Drafts are
    edited only by their author. `media`, when given, replaces the entry's photos and
    videos (removed ones are deleted with their files)."""
    _require_staff(editor, observation, "edit entries")
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.status == S.DRAFT and observation.author_id != editor.pk:
        raise PermissionDenied("Only the author can edit a draft.")
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
    existing_media = list(observation.media.all())
    has_media = bool(media) if media is not None else bool(existing_media)
    tags = eyfs_tags(
        proposed["areas"],
        fields.get("aspects", observation.aspects),
        fields.get("characteristics", observation.characteristics),
    )
    proposed["areas"], aspects, characteristics = tags
    areas = _clean(children=target_children, has_media=has_media, **proposed)
    ObservationRevision.objects.create(
        observation=observation,
        edited_by=editor,
        text=observation.text,
        observed_on=observation.observed_on,
        areas=observation.areas,
        next_steps=observation.next_steps,
        child_ids=[str(c.pk) for c in current_children],
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
    if media is not None:
        media = list(media)
        _check_media(
            author=editor,
            setting_id=observation.setting_id,
            choices=media,
            children=target_children,
            observation=observation,
        )
        kept = {choice.media.pk for choice in media}
        removed = [item for item in existing_media if item.pk not in kept]
        MediaItem.objects.filter(pk__in=[item.pk for item in removed]).delete()
        media_files.media_delete_files(removed)
        _attach_media(observation, media)
    else:
        ObservationChild.objects.filter(observation=observation).update(
            observed_on=observation.observed_on
        )
    _audit_each_child(observation, "observation.edit", editor, request)
    if publish and observation.status == S.DRAFT:
        return observation_publish(observation=observation, published_by=editor, request=request)
    return observation


@transaction.atomic
def observation_delete(*, observation: Observation, deleted_by, request=None) -> None:
    """Staff delete an entry for good: rows, photos, videos and every rendition (J-5)."""
    _require_staff(deleted_by, observation, "delete entries")
    if observation.status == S.DRAFT and observation.author_id != deleted_by.pk:
        raise PermissionDenied("Only the author can delete a draft.")
    child_ids = list(observation.links.values_list("child_id", flat=True))
    items = list(MediaItem.objects.filter(observation=observation))
    _audit_each_child(
        observation,
        "observation.delete",
        deleted_by,
        request,
        child_ids,
        detail={"media_deleted": len(items)},
    )
    observation.delete()
    media_files.media_delete_files(items)


def _notify_decided(observation) -> None:
    from acorn.journal.tasks import notify_contribution_decided

    transaction.on_commit(lambda: notify_contribution_decided.enqueue(str(observation.pk)))


@transaction.atomic
def contribution_approve(*, observation: Observation, approved_by, request=None) -> Observation:
    _require_staff(approved_by, observation, "approve contributions")
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
    _require_staff(rejected_by, observation, "decide on contributions")
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
    child_ids = [link.child_id for link in observation.links.all()]
    staff = _is_staff(author, observation.setting_id)
    if staff:
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
    return comment


@transaction.atomic
def observation_review(
    *, observation: Observation, reviewer, feedback: str = "", discuss: bool = False, request=None
) -> Observation:
    """J-6: a session leader reviews an entry, with feedback for its author."""
    membership = membership_in(reviewer, observation.setting_id)
    if membership is None or not membership.is_session_leader:
        raise PermissionDenied("Only session leaders review observations.")
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
    return observation


@transaction.atomic
def agenda_mark_discussed(*, observation: Observation, leader, request=None) -> Observation:
    membership = membership_in(leader, observation.setting_id)
    if membership is None or not membership.is_session_leader:
        raise PermissionDenied("Only session leaders manage the staff-meeting agenda.")
    observation.discussed_at = timezone.now()
    observation.save(update_fields=["discussed_at"])
    _audit_each_child(observation, "observation.discussed", leader, request)
    return observation


@transaction.atomic
def media_set_appearances(*, media: MediaItem, children, changed_by, request=None) -> MediaItem:
    """C-1: staff say who can be seen in a photo or video."""
    if not _is_staff(changed_by, media.setting_id):
        raise PermissionDenied("Only staff of the setting can change who appears.")
    children = list({c.pk: c for c in children}.values())
    if any(child.setting_id != media.setting_id for child in children):
        raise ValidationError("Only children of this setting can appear.")
    if not children:
        raise ValidationError("Choose at least one child who can be seen.")
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
    shown_in, hidden_in = [], []
    for child in entry_children:
        blockers = [y for y in appearing if y.pk != child.pk and not y.image_consent]
        (hidden_in if blockers else shown_in).append((child, blockers))
    return {"appearing": appearing, "shown_in": shown_in, "hidden_in": hidden_in}

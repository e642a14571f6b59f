from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from acorn.audit.services import audit_record
from acorn.children.selectors import linked_child_ids
from acorn.journal.models import AREAS_OF_LEARNING, Observation, ObservationChild
from acorn.org.rules import observation_supervisor
from acorn.org.selectors import membership_in

MAX_TEXT = 20_000


def _clean(*, children, text: str, observed_on: date, areas) -> list[str]:
    if not children:
        raise ValidationError({"children": "Choose at least one child."})
    if not (text or "").strip():
        raise ValidationError({"text": "Write what you saw."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Please keep the text under {MAX_TEXT:,} characters."})
    if observed_on > timezone.localdate():
        raise ValidationError({"observed_on": "The date observed can't be in the future."})
    unknown = [code for code in areas or [] if code not in AREAS_OF_LEARNING]
    if unknown:
        raise ValidationError({"areas": f"Unknown area of learning: {', '.join(unknown)}."})
    return list(dict.fromkeys(areas or []))


@transaction.atomic
def observation_create(
    *,
    author,
    children,
    text: str,
    observed_on: date,
    areas=(),
    next_steps: str = "",
    publish: bool = False,
    request=None,
) -> Observation:
    """Staff record an observation (draft or published); a parent's becomes a pending
    contribution. Every child must belong to one setting the author may write for."""
    children = list({child.pk: child for child in children}.values())
    areas = _clean(children=children, text=text, observed_on=observed_on, areas=areas)
    settings_ids = {child.setting_id for child in children}
    if len(settings_ids) != 1:
        raise ValidationError({"children": "All children must be from the same setting."})
    setting_id = settings_ids.pop()
    supervisor = None
    if membership_in(author, setting_id) is not None:
        supervisor = observation_supervisor(author=author, setting_id=setting_id)
        status = Observation.Status.PUBLISHED if publish else Observation.Status.DRAFT
        by_parent = False
    elif all(child.pk in linked_child_ids(author) for child in children):
        status = Observation.Status.PENDING
        by_parent = True
    else:
        raise ValidationError({"children": "You can only write about children you may see."})
    now = timezone.now()
    observation = Observation.objects.create(
        setting_id=setting_id,
        author=author,
        text=text.strip(),
        observed_on=observed_on,
        areas=areas,
        next_steps=(next_steps or "").strip(),
        status=status,
        by_parent=by_parent,
        supervisor=supervisor,
        created_at=now,
        updated_at=now,
        published_at=now if status == Observation.Status.PUBLISHED else None,
    )
    ObservationChild.objects.bulk_create(
        ObservationChild(
            observation=observation, child=child, observed_on=observed_on, created_at=now
        )
        for child in children
    )
    for child in children:
        audit_record(
            action=f"observation.create.{status}",
            actor=author,
            request=request,
            setting_id=setting_id,
            child_id=child.pk,
            object_type="observation",
            object_id=observation.pk,
        )
    return observation


@transaction.atomic
def observation_publish(*, observation: Observation, published_by, request=None) -> Observation:
    if observation.status != Observation.Status.DRAFT:
        raise ValidationError("Only a draft can be published.")
    if membership_in(published_by, observation.setting_id) is None:
        raise ValidationError("Only staff can publish entries.")
    now = timezone.now()
    observation.status = Observation.Status.PUBLISHED
    observation.published_at = now
    observation.updated_at = now
    observation.save(update_fields=["status", "published_at", "updated_at"])
    for link in observation.links.all():
        audit_record(
            action="observation.publish",
            actor=published_by,
            request=request,
            setting_id=observation.setting_id,
            child_id=link.child_id,
            object_type="observation",
            object_id=observation.pk,
        )
    return observation

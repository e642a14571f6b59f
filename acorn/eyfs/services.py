"""Every write of terms, the judgement scale and assessments, audited in the same
transaction."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from acorn.audit.services import audit_record
from acorn.eyfs.models import Assessment, Judgement, JudgementScale, Term
from acorn.eyfs.selectors import codes, current_framework, scale_of
from acorn.org.models import Setting
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import is_cleared

VALUE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_LEVELS = 10
MAX_NOTE = 2000


def _require_leader(setting, person) -> None:
    membership = membership_in(person, setting.pk)
    if membership is None or not membership.is_session_leader:
        raise PermissionDenied("Only session leaders (the manager and deputy) can do this.")


@transaction.atomic
def judgement_scale_set(*, setting: Setting, levels, changed_by, request=None) -> list[dict]:
    """Replaces the setting's judgement scale. Judgements already made keep their value."""
    _require_leader(setting, changed_by)
    cleaned, seen = [], set()
    for level in levels or []:
        value = str(level.get("value", "")).strip()
        label = str(level.get("label", "")).strip()
        if not VALUE_PATTERN.match(value):
            raise ValidationError(
                "Each value needs a short code in lower case, like on_track or secure."
            )
        if value in seen:
            raise ValidationError(f"The value {value} appears twice.")
        if not label or len(label) > 80:
            raise ValidationError("Each value needs a label of up to 80 characters.")
        seen.add(value)
        cleaned.append({"value": value, "label": label, "on_track": bool(level.get("on_track"))})
    if not 2 <= len(cleaned) <= MAX_LEVELS:
        raise ValidationError(f"A scale needs between 2 and {MAX_LEVELS} values.")
    if not any(level["on_track"] for level in cleaned):
        raise ValidationError("At least one value must count as on track.")
    JudgementScale.objects.update_or_create(
        setting=setting, defaults={"levels": cleaned, "updated_at": timezone.now()}
    )
    audit_record(
        action="setting.judgement_scale",
        actor=changed_by,
        request=request,
        setting_id=setting.pk,
        object_type="setting",
        object_id=setting.pk,
        detail={"values": [level["value"] for level in cleaned]},
    )
    return cleaned


@transaction.atomic
def term_create(*, setting: Setting, name: str, starts_on, ends_on, created_by, request=None):
    """A new term. Terms of a setting never overlap: the setting's row is locked so two
    leaders adding terms at once can't both succeed."""
    _require_leader(setting, created_by)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": "Give the term a name of up to 80 characters."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "A term can't end before it starts."})
    Setting.objects.select_for_update().filter(pk=setting.pk).first()
    clash = Term.objects.filter(
        setting=setting, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if clash is not None:
        raise ValidationError(
            f"These dates overlap {clash.name} ({clash.starts_on:%-d %b %Y} to "
            f"{clash.ends_on:%-d %b %Y}). Terms can't overlap."
        )
    term = Term.objects.create(
        setting=setting, name=name, starts_on=starts_on, ends_on=ends_on, created_by=created_by
    )
    audit_record(
        action="term.create",
        actor=created_by,
        request=request,
        setting_id=setting.pk,
        object_type="term",
        object_id=term.pk,
        detail={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return term


@transaction.atomic
def term_delete(*, term: Term, deleted_by, request=None) -> None:
    _require_leader(term.setting, deleted_by)
    if term.assessments.exists():
        raise ValidationError(
            "Children have been assessed in this term, so it can't be deleted. "
            "Rename it or change its dates instead."
        )
    audit_record(
        action="term.delete",
        actor=deleted_by,
        request=request,
        setting_id=term.setting_id,
        object_type="term",
        object_id=term.pk,
    )
    term.delete()


def _check_author(child, term, person) -> None:
    from acorn.leaving.rules import require_journal_open

    require_journal_open([child])
    if term.setting_id != child.setting_id:
        raise ValidationError({"term": "That term belongs to another setting."})
    if not is_cleared(person, child.setting_id):
        raise PermissionDenied("Only the setting's staff can assess children.")


def _clean_judgement(item: dict, allowed: set) -> tuple[str, str, str, str]:
    known = codes()
    area = str(item.get("area") or "")
    aspect = str(item.get("aspect") or "")
    value = str(item.get("judgement") or "")
    note = str(item.get("note") or "").strip()
    if area not in known.areas:
        raise ValidationError({"area": f"Unknown area of learning: {area or '(none)'}."})
    if aspect and known.aspects.get(aspect, (None,))[0] != area:
        raise ValidationError({"aspect": f"{aspect} isn't an aspect of {area}."})
    if value not in allowed:
        raise ValidationError(
            {"judgement": f"The judgement must be one of: {', '.join(sorted(allowed))}."}
        )
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"Please keep notes under {MAX_NOTE:,} characters."})
    return area, aspect, value, note


def _assessment(child, term, person) -> Assessment:
    assessment, _ = Assessment.objects.select_for_update().get_or_create(
        child=child,
        term=term,
        defaults={"framework": current_framework(), "updated_by": person},
    )
    return assessment


def _touch(assessment, person, action, request, detail) -> None:
    assessment.updated_by = person
    assessment.updated_at = timezone.now()
    assessment.save(update_fields=["updated_by", "updated_at"])
    audit_record(
        action=action,
        actor=person,
        request=request,
        setting_id=assessment.term.setting_id,
        child_id=assessment.child_id,
        object_type="assessment",
        object_id=assessment.pk,
        detail=detail,
    )


@transaction.atomic
def assessment_replace(*, child, term, judgements, assessed_by, request=None) -> Assessment:
    """The child's judgements for the term, as a whole (PUT): cells not given are
    cleared."""
    _check_author(child, term, assessed_by)
    allowed = {level["value"] for level in scale_of(child.setting)}
    cells = {}
    for item in judgements:
        area, aspect, value, note = _clean_judgement(item, allowed)
        if (area, aspect) in cells:
            raise ValidationError(f"{aspect or area} is judged twice.")
        cells[(area, aspect)] = (value, note)
    assessment = _assessment(child, term, assessed_by)
    assessment.term = term
    Judgement.objects.filter(assessment=assessment).delete()
    Judgement.objects.bulk_create(
        Judgement(assessment=assessment, area=area, aspect=aspect, value=value, note=note)
        for (area, aspect), (value, note) in cells.items()
    )
    _touch(assessment, assessed_by, "assessment.save", request, {"judgements": len(cells)})
    return assessment


@transaction.atomic
def judgement_set(
    *, child, term, area: str, aspect: str = "", value: str, note=None, assessed_by, request=None
) -> Judgement | None:
    """One cell of the key person's grid. An empty value clears the cell."""
    _check_author(child, term, assessed_by)
    assessment = _assessment(child, term, assessed_by)
    assessment.term = term
    if not value:
        Judgement.objects.filter(assessment=assessment, area=area, aspect=aspect or "").delete()
        _touch(assessment, assessed_by, "assessment.clear", request, {"cell": aspect or area})
        return None
    allowed = {level["value"] for level in scale_of(child.setting)}
    item = {"area": area, "aspect": aspect, "judgement": value, "note": note}
    area, aspect, value, note = _clean_judgement(item, allowed)
    defaults = {"value": value}
    if item["note"] is not None:
        defaults["note"] = note
    judgement, _ = Judgement.objects.update_or_create(
        assessment=assessment, area=area, aspect=aspect, defaults=defaults
    )
    _touch(
        assessment,
        assessed_by,
        "assessment.save",
        request,
        {"cell": aspect or area, "value": value},
    )
    return judgement

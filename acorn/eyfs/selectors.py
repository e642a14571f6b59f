"""Reads of the EYFS, terms, assessments and monitoring. Anything about children takes
the viewer: staff of the child's setting who are cleared (A-5) see it; for anyone else
it does not exist (404)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch, Q
from django.http import Http404

from acorn.eyfs.models import (
    DEFAULT_SCALE,
    AgeBand,
    Area,
    Aspect,
    Assessment,
    Characteristic,
    Framework,
    Judgement,
    JudgementScale,
    Term,
)
from acorn.leaving.rules import archived, attending
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import is_cleared

# ---------------------------------------------------------------------------------------
# The framework


def current_framework() -> Framework:
    framework = Framework.objects.filter(is_current=True).first()
    if framework is None:
        # The data migration loads it; only a flushed test database lacks it.
        from django.apps import apps

        from acorn.eyfs import framework_2024
        from acorn.eyfs.loading import framework_load

        framework = framework_load(apps.get_model, framework_2024)
        _CODES.clear()
    return framework


def framework_areas(framework=None) -> list[Area]:
    """The areas in order, each with its aspects (two queries)."""
    framework = framework or current_framework()
    return list(
        Area.objects.filter(framework=framework).prefetch_related(
            Prefetch("aspects", queryset=Aspect.objects.order_by("position"))
        )
    )


def framework_characteristics(framework=None) -> list[Characteristic]:
    return list(Characteristic.objects.filter(framework=framework or current_framework()))


def framework_age_bands(framework=None) -> list[AgeBand]:
    return list(AgeBand.objects.filter(framework=framework or current_framework()))


@dataclass
class Codes:
    areas: dict  # code -> name
    aspects: dict  # code -> (area code, name)
    characteristics: dict  # code -> name


_CODES: dict = {}


def codes() -> Codes:
    """The current framework's codes and names. Frameworks are frozen per version and
    change only by migration, so this is kept for the life of the process (journal lists
    show aspect names without a query)."""
    cached = _CODES.get("current")
    if cached is None:
        framework = current_framework()
        areas = framework_areas(framework)
        cached = Codes(
            areas={a.code: a.name for a in areas},
            aspects={s.code: (a.code, s.name) for a in areas for s in a.aspects.all()},
            characteristics={c.code: c.name for c in framework_characteristics(framework)},
        )
        _CODES["current"] = cached
    return cached


def clean_tags(*, areas, aspects, characteristics) -> tuple[list, list, list]:
    """An observation's EYFS tags, checked. An aspect brings its area with it, so a
    quick tap on "Speaking" also files the entry under Communication and language."""
    known = codes()
    aspects = list(dict.fromkeys(aspects or []))
    characteristics = list(dict.fromkeys(characteristics or []))
    unknown = [c for c in aspects if c not in known.aspects]
    if unknown:
        raise ValidationError({"aspects": f"Unknown aspect: {', '.join(unknown)}."})
    unknown = [c for c in characteristics if c not in known.characteristics]
    if unknown:
        raise ValidationError(
            {"characteristics": f"Unknown characteristic of learning: {', '.join(unknown)}."}
        )
    areas = list(dict.fromkeys([*(areas or []), *(known.aspects[c][0] for c in aspects)]))
    return areas, aspects, characteristics


def aspect_names(codes_list) -> list[str]:
    known = codes().aspects
    return [known[c][1] for c in codes_list or [] if c in known]


def characteristic_names(codes_list) -> list[str]:
    known = codes().characteristics
    return [known[c] for c in codes_list or [] if c in known]


def age_band_for(age_in_months: int, bands) -> AgeBand | None:
    """The Development Matters band for an age (reception is by school year, not age,
    so it is never chosen from age alone)."""
    for band in bands:
        if band.guidance != AgeBand.Guidance.DEVELOPMENT_MATTERS or band.code == "reception":
            continue
        if band.from_months <= age_in_months and (
            band.to_months is None or age_in_months < band.to_months
        ):
            return band
    return None


# ---------------------------------------------------------------------------------------
# Settings: scale and terms


def scale_of(setting) -> list[dict]:
    row = JudgementScale.objects.filter(setting=setting).first()
    return (
        row.levels if row is not None and row.levels else [dict(level) for level in DEFAULT_SCALE]
    )


def on_track_values(scale) -> set:
    return {level["value"] for level in scale if level.get("on_track")}


def staff_membership(viewer, setting_id, *, leader=False):
    """The viewer's membership of this setting, cleared (A-5); 404 for anyone else."""
    membership = membership_in(viewer, setting_id)
    if membership is None:
        raise Http404("No such setting.")
    if leader and not membership.is_session_leader:
        from acorn.core.policy import Forbidden

        raise Forbidden("Only session leaders (the manager and deputy) can do this.")
    from acorn.suitability.selectors import require_cleared

    require_cleared(viewer, setting_id)
    return membership


def terms_of(setting):
    return Term.objects.filter(setting=setting).order_by("starts_on")


def term_of(setting, term_id) -> Term:
    term = Term.objects.filter(setting=setting, pk=_uuid(term_id)).first()
    if term is None:
        raise Http404("No such term.")
    return term


def term_covering(setting, day: date) -> Term | None:
    """The term that includes the day, else the latest that has ended."""
    return (
        terms_of(setting).filter(starts_on__lte=day, ends_on__gte=day).first()
        or terms_of(setting).filter(ends_on__lt=day).order_by("-starts_on").first()
    )


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("Not found.") from None


# ---------------------------------------------------------------------------------------
# Assessments


def require_staff_for(viewer, child) -> None:
    """Assessments are for the child's setting's cleared staff: a parent, or anyone else,
    gets 404 (child_for has already refused uncleared staff of the setting)."""
    if not is_cleared(viewer, child.setting_id):
        raise Http404("No such child.")


def assessments_for(viewer, child):
    require_staff_for(viewer, child)
    return (
        # A child who joined from another setting on Acorn (L-2) keeps the judgements
        # made there, in that setting's terms.
        Assessment.objects.filter(child=child)
        .select_related("term")
        .prefetch_related("judgements")
        .order_by("term__starts_on")
    )


def key_children_of(viewer, setting):
    """The children this person is key person (or back-up) for, attending now."""
    from acorn.children.models import Child

    return (
        attending(Child.objects.filter(setting=setting))
        .filter(Q(key_person=viewer) | Q(backup_key_person=viewer))
        .select_related("photo")
        .order_by("first_name", "last_name")
    )


def children_to_assess(viewer, membership, *, everyone=False):
    """A key person's own key children; a session leader may ask for every attending
    child of the setting."""
    from acorn.children.models import Child

    if everyone and membership.is_session_leader:
        return list(
            attending(Child.objects.filter(setting=membership.setting))
            .select_related("photo")
            .order_by("first_name", "last_name")
        )
    return list(key_children_of(viewer, membership.setting))


def judgements_by_cell(children, term) -> dict:
    """{(child_id, area, aspect): Judgement} for these children in this term (one query)."""
    rows = Judgement.objects.filter(
        assessment__term=term, assessment__child__in=[c.pk for c in children]
    ).select_related("assessment")
    return {(j.assessment.child_id, j.area, j.aspect): j for j in rows}


def evidence_for(viewer, children, term) -> dict:
    """{(child_id, area code): [observation, ...]}: each child's published observations
    in the term, by area (one query), for the grid's "evidence" popovers."""
    from acorn.journal.models import ObservationChild

    children = [c for c in children if is_cleared(viewer, c.setting_id)]
    links = (
        ObservationChild.objects.filter(
            child__in=[c.pk for c in children],
            observation__status="published",
            observed_on__gte=term.starts_on,
            observed_on__lte=term.ends_on,
        )
        .select_related("observation")
        .order_by("-observed_on", "-created_at")
    )
    known = codes()
    evidence = defaultdict(list)
    for link in links:
        observation = link.observation
        for area in observation.areas:
            evidence[(link.child_id, area)].append(observation)
        for aspect in observation.aspects or []:
            evidence[(link.child_id, aspect)].append(observation)
            if aspect in known.aspects and known.aspects[aspect][0] not in observation.areas:
                evidence[(link.child_id, known.aspects[aspect][0])].append(observation)
    return evidence


# ---------------------------------------------------------------------------------------
# Monitoring


@dataclass
class ChildMonitoring:
    child: object
    total: int = 0
    by_area: dict = field(default_factory=dict)
    last_observed_on: date | None = None
    days_since_observed: int | None = None
    on_track: bool | None = None
    off_track_areas: list = field(default_factory=list)
    age_band: object = None


@dataclass
class Monitoring:
    setting: object
    since: date
    until: date
    today: date
    rows: list
    area_codes: list
    scale: list


def monitoring_for(viewer, setting, *, since: date, until: date, today: date) -> Monitoring:
    """Observations per child and area in the period, the latest observation, and
    whether each child is on track, for the setting's attending children. A fixed number
    of queries however many children there are."""
    staff_membership(viewer, setting.pk, leader=True)
    from acorn.children.models import Child
    from acorn.journal.models import ObservationChild

    children = list(
        attending(Child.objects.filter(setting=setting)).order_by("first_name", "last_name", "pk")
    )
    rows = {c.pk: ChildMonitoring(child=c) for c in children}
    in_period = (
        ObservationChild.objects.filter(
            child__setting=setting,
            child__status__in=[Child.Status.ACTIVE, Child.Status.LEFT],
            observation__status="published",
            observed_on__gte=since,
            observed_on__lte=until,
        )
        .exclude(archived("child_id"))
        .values_list("child_id", "observation__areas")
    )
    for child_id, areas in in_period:
        row = rows.get(child_id)
        if row is None:
            continue
        row.total += 1
        for area in areas or []:
            row.by_area[area] = row.by_area.get(area, 0) + 1
    latest = (
        ObservationChild.objects.filter(
            child__setting=setting,
            child__status=Child.Status.ACTIVE,
            observation__status="published",
            observed_on__lte=today,
        )
        .values("child_id")
        .annotate(last=Max("observed_on"))
        .values_list("child_id", "last")
    )
    for child_id, last in latest:
        if child_id in rows:
            rows[child_id].last_observed_on = last
            rows[child_id].days_since_observed = (today - last).days
    scale = scale_of(setting)
    _judge(rows, setting, scale)
    bands = framework_age_bands()
    for row in rows.values():
        years, months = row.child.age_on(today)
        row.age_band = age_band_for(years * 12 + months, bands)
    return Monitoring(
        setting=setting,
        since=since,
        until=until,
        today=today,
        rows=list(rows.values()),
        area_codes=list(codes().areas),
        scale=scale,
    )


def _judge(rows: dict, setting, scale) -> None:
    """A child is on track when every area's latest judgement counts as on track; None
    when nothing has been judged. An area's latest judgement is its judgements (of the
    whole area or of its aspects) in the latest term that has any."""
    good = on_track_values(scale)
    judgements = (
        Judgement.objects.filter(
            assessment__child__in=list(rows), assessment__term__setting=setting
        )
        .values_list("assessment__child_id", "area", "value", "assessment__term__starts_on")
        .order_by("assessment__term__starts_on")
    )
    latest: dict = {}  # (child, area) -> (starts_on, [values])
    for child_id, area, value, starts_on in judgements:
        key = (child_id, area)
        seen = latest.get(key)
        if seen is None or seen[0] < starts_on:
            latest[key] = (starts_on, [value])
        elif seen[0] == starts_on:
            seen[1].append(value)
    for (child_id, area), (_starts, values) in latest.items():
        row = rows[child_id]
        ok = all(v in good for v in values)
        if not ok:
            row.off_track_areas.append(area)
        row.on_track = ok if row.on_track in (None, True) else False


def default_period(setting, today: date) -> tuple[date, date]:
    """The current term, else the last twelve weeks."""
    term = terms_of(setting).filter(starts_on__lte=today, ends_on__gte=today).first()
    if term is not None:
        return term.starts_on, min(term.ends_on, today)
    return today - timedelta(weeks=12), today

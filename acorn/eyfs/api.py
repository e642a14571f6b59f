from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status

from acorn.children.selectors import child_for
from acorn.core.api import ApiError, api_access, page
from acorn.core.policy import Forbidden
from acorn.eyfs import selectors, services
from acorn.org.models import Setting
from acorn.suitability.selectors import setting_today

router = Router(tags=["EYFS, assessments and reports"])


class AspectOut(Schema):
    code: str
    name: str


class AreaOut(Schema):
    code: str
    name: str
    prime: bool
    aspects: list[AspectOut]


class GoalOut(Schema):
    code: str
    area: str
    name: str


class CharacteristicOut(Schema):
    code: str
    name: str


class AgeBandOut(Schema):
    guidance: str
    code: str
    name: str
    from_months: int
    to_months: int | None


class EyfsOut(Schema):
    version: str
    areas: list[AreaOut]
    early_learning_goals: list[GoalOut]
    characteristics: list[CharacteristicOut]
    age_bands: list[AgeBandOut]


class TermIn(Schema):
    name: str
    starts_on: date
    ends_on: date


class TermOut(Schema):
    id: UUID
    name: str
    starts_on: date
    ends_on: date


class TermPage(Schema):
    items: list[TermOut]
    next: str | None


class JudgementIn(Schema):
    area: str
    aspect: str | None = None
    judgement: str
    note: str | None = None


class AssessmentIn(Schema):
    judgements: list[JudgementIn]


class JudgementOut(Schema):
    area: str
    aspect: str | None
    judgement: str
    note: str


class AssessmentOut(Schema):
    term_id: UUID
    judgements: list[JudgementOut]


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    next: str | None


class AreaCounts(Schema):
    total: int
    by_area: dict[str, int]


class ChildMonitoringOut(Schema):
    child_id: UUID
    observations: AreaCounts
    last_observed_on: date | None
    days_since_observed: int | None
    on_track: bool | None


class MonitoringOut(Schema):
    children: list[ChildMonitoringOut]


@router.get("/eyfs", response=EyfsOut)
@api_access("signed_in")
def eyfs(request):
    """The EYFS framework in use: areas with their aspects, the Early Learning Goals, the
    characteristics of effective learning and the age bands and ranges."""
    framework = selectors.current_framework()
    areas = selectors.framework_areas(framework)
    return {
        "version": framework.version,
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "prime": a.prime,
                "aspects": [{"code": s.code, "name": s.name} for s in a.aspects.all()],
            }
            for a in areas
        ],
        "early_learning_goals": [
            {"code": s.code, "area": a.code, "name": s.name}
            for a in areas
            for s in a.aspects.all()
            if s.is_early_learning_goal
        ],
        "characteristics": [
            {"code": c.code, "name": c.name} for c in selectors.framework_characteristics(framework)
        ],
        "age_bands": [
            {
                "guidance": b.guidance,
                "code": b.code,
                "name": b.name,
                "from_months": b.from_months,
                "to_months": b.to_months,
            }
            for b in selectors.framework_age_bands(framework)
        ],
    }


def _setting(request, setting_id, *, leader=False) -> Setting:
    return selectors.staff_membership(request.user, setting_id, leader=leader).setting


class JudgementLevelOut(Schema):
    value: str
    label: str
    on_track: bool


@router.get("/settings/{setting_id}/judgement-scale", response=list[JudgementLevelOut])
@api_access("staff")
def judgement_scale(request, setting_id: UUID):
    """The setting's judgement scale (replace it with PATCH /settings/{sid})."""
    return selectors.scale_of(_setting(request, setting_id))


@router.get("/settings/{setting_id}/terms", response=TermPage)
@api_access("staff")
def term_list(request, setting_id: UUID):
    setting = _setting(request, setting_id)
    rows, following = page(selectors.terms_of(setting), request, limit=100)
    return {"items": rows, "next": following}


@router.post("/settings/{setting_id}/terms", response={201: TermOut})
@api_access("session_leader")
def term_create(request, setting_id: UUID, payload: TermIn):
    setting = _setting(request, setting_id, leader=True)
    try:
        term = services.term_create(
            setting=setting,
            name=payload.name,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            created_by=request.user,
            request=request,
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    return Status(201, term)


def _assessment_out(assessment) -> dict:
    return {
        "term_id": assessment.term_id,
        "judgements": [
            {"area": j.area, "aspect": j.aspect or None, "judgement": j.value, "note": j.note}
            for j in assessment.judgements.all()
        ],
    }


@router.put("/children/{child_id}/assessments/{term_id}", response=AssessmentOut)
@api_access("staff")
def assessment_put(request, child_id: str, term_id: str, payload: AssessmentIn):
    """The child's judgements for the term, as a whole. `judgement` is one of the
    setting's scale."""
    child = child_for(request.user, child_id)
    selectors.require_staff_for(request.user, child)
    term = selectors.term_of(child.setting, term_id)
    try:
        services.assessment_replace(
            child=child,
            term=term,
            judgements=[j.dict() for j in payload.judgements],
            assessed_by=request.user,
            request=request,
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
    except PermissionDenied as error:
        raise Forbidden(str(error)) from None
    return _assessment_out(selectors.assessments_for(request.user, child).get(term=term))


@router.get("/children/{child_id}/assessments", response=AssessmentPage)
@api_access("staff")
def assessment_list(request, child_id: str):
    child = child_for(request.user, child_id)
    rows, following = page(selectors.assessments_for(request.user, child), request, limit=100)
    return {"items": [_assessment_out(a) for a in rows], "next": following}


@router.get("/settings/{setting_id}/monitoring", response=MonitoringOut)
@api_access("session_leader")
def monitoring(request, setting_id: UUID, since: date | None = None, until: date | None = None):
    setting = _setting(request, setting_id, leader=True)
    today = setting_today(setting)
    default_since, default_until = selectors.default_period(setting, today)
    since, until = since or default_since, until or default_until
    if until < since:
        raise ApiError(422, "until must not be before since.", "invalid")
    report = selectors.monitoring_for(request.user, setting, since=since, until=until, today=today)
    return {
        "children": [
            {
                "child_id": row.child.pk,
                "observations": {"total": row.total, "by_area": row.by_area},
                "last_observed_on": row.last_observed_on,
                "days_since_observed": row.days_since_observed,
                "on_track": row.on_track,
            }
            for row in report.rows
        ]
    }

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema, Status

from acorn.audit.services import audit_record
from acorn.children.names import redactor_for
from acorn.children.selectors import child_for
from acorn.core.api import ApiError, api_access, page
from acorn.core.policy import Forbidden
from acorn.eyfs.selectors import staff_membership, term_of
from acorn.reports import selectors, services
from acorn.reports.models import Report
from acorn.suitability.selectors import setting_today

router = Router(tags=["EYFS, assessments and reports"])


class ReportIn(Schema):
    kind: str
    term_id: UUID | None = None


class SectionIn(Schema):
    area: str
    judgement: str | None = None
    text: str = ""


class SectionOut(Schema):
    area: str
    judgement: str
    text: str


class ReportPatch(Schema):
    sections: list[SectionIn] | None = None
    summary: str | None = None
    next_steps: str | None = None
    strengths: str | None = None
    less_than_expected: str | None = None
    support_plan: str | None = None
    photo_ids: list[UUID] | None = None


class ReportOut(Schema):
    id: UUID
    child_id: UUID
    kind: str
    term_id: UUID | None
    status: str
    version: int
    due_on: date | None
    period_start: date
    period_end: date
    sections: list[SectionOut]
    summary: str
    next_steps: str
    strengths: str
    less_than_expected: str
    support_plan: str
    photo_ids: list[UUID]
    parent_comment: str
    health_visitor_consent: bool | None
    shared_at: datetime | None


class ReportPage(Schema):
    items: list[ReportOut]
    next: str | None


class ReviewIn(Schema):
    approve: bool
    comment: str = ""


class ParentCommentIn(Schema):
    text: str = ""
    health_visitor_consent: bool | None = None


class DueOut(Schema):
    child_id: UUID
    kind: str
    term_id: UUID | None
    due_on: date
    status: str
    report_id: UUID | None


class DuePage(Schema):
    items: list[DueOut]
    next: str | None


def report_out(viewer, report: Report) -> dict:
    """The report as this person may read it: for anyone but the setting's staff, other
    children's names become initials (C-4), and only photos the consent rule allows."""
    staff = selectors.is_report_staff(viewer, report.child)
    redact = redactor_for(viewer, report.child.setting_id, staff=staff)
    return {
        "id": report.pk,
        "child_id": report.child_id,
        "kind": report.kind,
        "term_id": report.term_id,
        "status": report.status,
        "version": report.version,
        "due_on": report.due_on,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "sections": [
            {"area": s["area"], "judgement": s.get("judgement") or "", "text": redact(s["text"])}
            for s in report.sections
        ],
        "summary": redact(report.summary),
        "next_steps": redact(report.next_steps),
        "strengths": redact(report.strengths),
        "less_than_expected": redact(report.less_than_expected),
        "support_plan": redact(report.support_plan),
        "photo_ids": [item.pk for item in selectors.report_photos(report)],
        "parent_comment": report.parent_comment,
        "health_visitor_consent": report.health_visitor_consent,
        "shared_at": report.shared_at,
    }


def _locked(error):
    return ApiError(409, str(error), "conflict")


def _audit_read(request, report, action="report.read"):
    audit_record(
        action=action,
        request=request,
        setting_id=report.child.setting_id,
        child_id=report.child_id,
        object_type="report",
        object_id=report.pk,
        detail={"kind": report.kind, "version": report.version},
    )


@router.post("/children/{child_id}/reports", response={201: ReportOut})
@api_access("staff")
def report_create(request, child_id: str, payload: ReportIn):
    """A new draft, pre-filled from that period's judgements and observations (the
    child's key person, back-up key person or a session leader)."""
    child = child_for(request.user, child_id)
    if not selectors.is_report_staff(request.user, child):
        raise Forbidden("Only the setting's staff write reports.")
    term = term_of(child.setting, payload.term_id) if payload.term_id else None
    try:
        report = services.report_create(
            child=child, kind=payload.kind, term=term, author=request.user, request=request
        )
    except PermissionDenied as error:
        raise Forbidden(str(error)) from None
    return Status(201, report_out(request.user, report))


@router.get("/children/{child_id}/reports", response=ReportPage)
@api_access("signed_in")
def report_list(request, child_id: str):
    """Staff see every report; parents only the shared reports of their own children."""
    child = child_for(request.user, child_id)
    rows, following = page(selectors.reports_of(request.user, child), request)
    return {"items": [report_out(request.user, r) for r in rows], "next": following}


@router.get("/reports/{report_id}", response=ReportOut)
@api_access("signed_in")
def report_detail(request, report_id: str):
    report = selectors.report_for(request.user, report_id)
    _audit_read(request, report)
    return report_out(request.user, report)


@router.patch("/reports/{report_id}", response=ReportOut)
@api_access("staff")
def report_update(request, report_id: str, payload: ReportPatch):
    """Any of sections, summary, next_steps (and the two year check's strengths,
    less_than_expected, support_plan; the chosen photo_ids) while the report is a draft;
    409 once it is submitted or shared."""
    report = selectors.report_for(request.user, report_id)
    fields = payload.dict(exclude_unset=True)
    sections = fields.pop("sections", None)
    photo_ids = fields.pop("photo_ids", None)
    try:
        report = services.report_update(
            report=report,
            editor=request.user,
            request=request,
            sections=sections,
            photo_ids=photo_ids,
            **fields,
        )
    except services.ReportLocked as error:
        raise _locked(error) from None
    except PermissionDenied as error:
        raise Forbidden(str(error)) from None
    return report_out(request.user, report)


def _step(request, report_id, action, **kwargs):
    report = selectors.report_for(request.user, report_id)
    try:
        report = action(report=report, request=request, **kwargs)
    except services.ReportLocked as error:
        raise _locked(error) from None
    except PermissionDenied as error:
        raise Forbidden(str(error)) from None
    return report


@router.post("/reports/{report_id}/submit", response=ReportOut)
@api_access("staff")
def report_submit(request, report_id: str):
    """draft → in_review (the child's key person or a session leader)."""
    report = _step(request, report_id, services.report_submit, person=request.user)
    return report_out(request.user, report)


@router.post("/reports/{report_id}/review", response=ReportOut)
@api_access("session_leader")
def report_review(request, report_id: str, payload: ReviewIn):
    """Approved → `approved`; not approved → back to `draft` with the comment."""
    report = _step(
        request,
        report_id,
        services.report_review,
        reviewer=request.user,
        approve=payload.approve,
        comment=payload.comment,
    )
    return report_out(request.user, report)


@router.post("/reports/{report_id}/share", response=ReportOut)
@api_access("session_leader")
def report_share(request, report_id: str):
    """approved → shared; the child's parents are told by email (no child data)."""
    report = _step(request, report_id, services.report_share, person=request.user)
    return report_out(request.user, report)


@router.post("/reports/{report_id}/parent-comment", response=ReportOut)
@api_access("parent")
def report_parent_comment(request, report_id: str, payload: ParentCommentIn):
    """The parent's view (a parent of the child, once shared); for the two year check,
    `health_visitor_consent` too."""
    report = _step(
        request,
        report_id,
        services.report_parent_comment,
        parent=request.user,
        text=payload.text,
        health_visitor_consent=payload.health_visitor_consent,
    )
    return report_out(request.user, report)


@router.post("/reports/{report_id}/revise", response={201: ReportOut})
@api_access("staff")
def report_revise(request, report_id: str):
    """A new draft with version + 1; the shared version stays as it was."""
    report = _step(request, report_id, services.report_revise, person=request.user)
    return Status(201, report_out(request.user, report))


@router.get("/reports/{report_id}/pdf")
@api_access("signed_in")
def report_pdf(request, report_id: str):
    """The report as a printable A4 PDF."""
    from acorn.reports.pdf import pdf_response

    report = selectors.report_for(request.user, report_id)
    _audit_read(request, report, "report.pdf")
    return pdf_response(report)


@router.get("/settings/{setting_id}/reports/due", response=DuePage)
@api_access("staff")
def reports_due(request, setting_id: UUID, as_of: date | None = None):
    """Which reports are upcoming, due, overdue or done on `as_of` (default today)."""
    setting = staff_membership(request.user, setting_id).setting
    rows = selectors.due_reports(setting, as_of=as_of or setting_today(setting))
    return {
        "items": [
            {
                "child_id": row.child.pk,
                "kind": row.kind,
                "term_id": row.term.pk if row.term is not None else None,
                "due_on": row.due_on,
                "status": row.status,
                "report_id": row.report_id,
            }
            for row in rows
        ],
        "next": None,
    }

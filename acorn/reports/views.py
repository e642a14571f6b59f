"""Report pages: from the child's profile ("Reports"), a list and a new draft; the report
page where the key person edits the pre-filled text and picks photos, sends it for
review; session leaders review and share; parents read it, add their view and download
the PDF. The rules live in the services, so these pages and the API agree."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acorn.audit.services import audit_record
from acorn.children.names import redactor_for
from acorn.children.selectors import child_for
from acorn.core.access import parent, session_leader, signed_in, staff
from acorn.core.policy import Forbidden
from acorn.eyfs.selectors import scale_of, terms_of
from acorn.reports import selectors, services
from acorn.reports.models import Report
from acorn.reports.pdf import TITLES, pdf_response
from acorn.reports.rendering import due_rows_html
from acorn.suitability.selectors import setting_today


def _refuse(error: PermissionDenied):
    raise Forbidden(str(error)) from None


@signed_in
def child_reports(request, child_id):
    child = child_for(request.user, child_id)
    reports = list(selectors.reports_of(request.user, child))
    is_staff = selectors.is_report_staff(request.user, child)
    due_rows = []
    if is_staff:
        due_rows = [
            row
            for row in selectors.due_reports(
                child.setting, as_of=setting_today(child.setting), children=[child]
            )
            if row.status != "upcoming"
        ]
    return render(
        request,
        "reports/child_reports.html",
        {
            "child": child,
            "reports": reports,
            "is_staff": is_staff,
            "kinds": Report.Kind.choices,
            "terms": list(terms_of(child.setting)) if is_staff else [],
            "due_rows": bool(due_rows),
            "due_rows_html": due_rows_html(due_rows, show_child=False),
            "titles": TITLES,
        },
    )


@staff
@require_POST
def report_new(request, child_id):
    child = child_for(request.user, child_id)
    if not selectors.is_report_staff(request.user, child):
        raise Forbidden("Only the setting's staff write reports.")
    term = None
    if request.POST.get("term"):
        from acorn.eyfs.selectors import term_of

        term = term_of(child.setting, request.POST["term"])
    try:
        report = services.report_create(
            child=child,
            kind=request.POST.get("kind", ""),
            term=term,
            author=request.user,
            request=request,
        )
    except PermissionDenied as error:
        _refuse(error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:child", child_id=child.pk)
    messages.success(
        request, "Here's the draft, filled in from the journal. Check it and add your own words."
    )
    return redirect("reports:detail", report_id=report.pk)


def _shown(request, report):
    staff_reader = selectors.is_report_staff(request.user, report.child)
    redact = redactor_for(request.user, report.child.setting_id, staff=staff_reader)
    names = selectors.area_names()
    labels = selectors.judgement_labels(report.child.setting)
    sections = [
        {
            **section,
            "name": names.get(section["area"], section["area"]),
            "label": labels.get(section.get("judgement") or "", ""),
            "shown_text": redact(section.get("text") or ""),
        }
        for section in report.sections
    ]
    texts = {
        name: redact(getattr(report, name))
        for name in ("summary", "next_steps", "strengths", "less_than_expected", "support_plan")
    }
    return sections, texts


@signed_in
def report_detail(request, report_id):
    report = selectors.report_for(request.user, report_id)
    child = report.child
    is_staff = selectors.is_report_staff(request.user, child)
    if request.method == "POST":
        return _save(request, report)
    audit_record(
        action="report.read",
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="report",
        object_id=report.pk,
        detail={"kind": report.kind, "version": report.version},
    )
    sections, texts = _shown(request, report)
    membership = request.membership if is_staff else None
    leader = bool(
        is_staff
        and membership is not None
        and membership.setting_id == child.setting_id
        and membership.is_session_leader
    )
    candidates = []
    if is_staff and report.status == Report.Status.DRAFT:
        candidates = list(
            selectors.photo_candidates(child, report.period_start, report.period_end)[:60]
        )
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "child": child,
            "is_staff": is_staff,
            "is_leader": leader,
            "is_key_person": request.user.pk == child.key_person_id,
            "sections": sections,
            "texts": texts,
            "title": TITLES[report.kind],
            "scale": scale_of(child.setting),
            "photos": selectors.report_photos(report),
            "candidates": candidates,
            "chosen": set(report.photo_ids),
            "reviews": list(selectors.reviews_of(report)) if is_staff else [],
            "versions": list(selectors.versions_of(report)) if is_staff else [],
            "two_year": report.kind == Report.Kind.TWO_YEAR_CHECK,
            "is_parent": not is_staff,
        },
    )


def _save(request, report):
    """The key person's edits of a draft (a plain form post)."""
    if not selectors.is_report_staff(request.user, report.child):
        raise Forbidden("Only the setting's staff edit reports.")
    sections = [
        {
            "area": section["area"],
            "judgement": request.POST.get(f"judgement:{section['area']}", ""),
            "text": request.POST.get(f"text:{section['area']}", ""),
        }
        for section in report.sections
    ]
    texts = {
        name: request.POST.get(name)
        for name in services.TEXT_FIELDS
        if request.POST.get(name) is not None
    }
    try:
        services.report_update(
            report=report,
            editor=request.user,
            request=request,
            sections=sections,
            photo_ids=request.POST.getlist("photos"),
            **texts,
        )
    except services.ReportLocked as error:
        messages.error(request, str(error))
    except PermissionDenied as error:
        _refuse(error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Saved.")
    if request.POST.get("then") == "submit":
        return _step(
            request, report.pk, services.report_submit, "Sent for review.", person=request.user
        )
    return redirect("reports:detail", report_id=report.pk)


def _step(request, report_id, action, done, **kwargs):
    report = selectors.report_for(request.user, report_id)
    try:
        report = action(report=report, request=request, **kwargs)
    except services.ReportLocked as error:
        messages.error(request, str(error))
    except PermissionDenied as error:
        _refuse(error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("reports:detail", report_id=report.pk)


@staff
@require_POST
def report_submit(request, report_id):
    return _step(
        request,
        report_id,
        services.report_submit,
        "Sent for review. A session leader will read it next.",
        person=request.user,
    )


@session_leader
@require_POST
def report_review(request, report_id):
    approve = request.POST.get("approve") == "1"
    return _step(
        request,
        report_id,
        services.report_review,
        "Approved: it's ready to share."
        if approve
        else "Sent back to the author with your comment.",
        reviewer=request.user,
        approve=approve,
        comment=request.POST.get("comment", ""),
    )


@session_leader
@require_POST
def report_share(request, report_id):
    return _step(
        request,
        report_id,
        services.report_share,
        "Shared. The parents have been sent an email to let them know.",
        person=request.user,
    )


@staff
@require_POST
def report_revise(request, report_id):
    report = selectors.report_for(request.user, report_id)
    try:
        revision = services.report_revise(report=report, person=request.user, request=request)
    except services.ReportLocked as error:
        messages.error(request, str(error))
        return redirect("reports:detail", report_id=report.pk)
    except PermissionDenied as error:
        _refuse(error)
    messages.success(
        request, f"Version {revision.version} is a new draft. The shared one stays as it was."
    )
    return redirect("reports:detail", report_id=revision.pk)


@parent
@require_POST
def report_comment(request, report_id):
    consent = {"yes": True, "no": False}.get(request.POST.get("health_visitor", ""))
    return _step(
        request,
        report_id,
        services.report_parent_comment,
        "Thank you. Your view is now part of the report.",
        parent=request.user,
        text=request.POST.get("text", ""),
        health_visitor_consent=consent,
    )


@signed_in
def report_pdf(request, report_id):
    report = selectors.report_for(request.user, report_id)
    audit_record(
        action="report.pdf",
        request=request,
        setting_id=report.child.setting_id,
        child_id=report.child_id,
        object_type="report",
        object_id=report.pk,
        detail={"kind": report.kind, "version": report.version},
    )
    return pdf_response(report)

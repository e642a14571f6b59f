"""Every write of reports, with the rules in one place so the pages and the API agree.
Each is audited in the same transaction.

- Staff writes follow the journal's rules of create (`journal.policy.require_staff_write`:
  a cleared member of the child's setting, on site) and, on top, a report is the key
  person's work: the child's key person, back-up key person or a session leader
  writes it; the key person or a session leader submits it; session leaders review and
  share it.
- Only a draft can change. Once submitted, approved or shared it is locked (409); a
  shared report is corrected by `report_revise`, a new draft with version + 1.
- A parent of the child comments once it is shared.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from acorn.audit.services import audit_record
from acorn.children.selectors import active_child_ids, linked_child_ids
from acorn.eyfs.selectors import codes, scale_of
from acorn.journal.policy import require_staff_write
from acorn.org.selectors import membership_in
from acorn.reports import due, selectors
from acorn.reports.models import Report, ReportReview
from acorn.reports.prefill import PRIME_AREAS, prefill
from acorn.suitability.selectors import setting_today

S = Report.Status
MAX_TEXT = 5000
MAX_PHOTOS = 4
TWO_YEAR_PERIOD = timedelta(days=91)
TEXT_FIELDS = ("summary", "next_steps", "strengths", "less_than_expected", "support_plan")


class ReportLocked(Exception):
    """The report has moved on from where this change could be made (409)."""


def _is_leader(person, child) -> bool:
    membership = membership_in(person, child.setting_id)
    return membership is not None and membership.is_session_leader


def _require_staff(person, child, request, what):
    require_staff_write(
        person=person, setting_id=child.setting_id, request=request, what=what, publishing=False
    )


def _require_writer(person, child, request, what="write reports") -> None:
    _require_staff(person, child, request, what)
    if person.pk in (child.key_person_id, child.backup_key_person_id) or _is_leader(person, child):
        return
    raise PermissionDenied(
        f"Only {child.first_name}'s key person or a session leader can {what} for "
        f"{child.first_name}."
    )


def _require_leader(person, child, request, what) -> None:
    _require_staff(person, child, request, what)
    if not _is_leader(person, child):
        raise PermissionDenied(f"Only session leaders (the manager and deputy) can {what}.")


def _audit(action, report, person, request, detail=None):
    audit_record(
        action=action,
        actor=person,
        request=request,
        setting_id=report.child.setting_id,
        child_id=report.child_id,
        object_type="report",
        object_id=report.pk,
        detail={"kind": report.kind, "version": report.version, **(detail or {})},
    )


def period_for(child, kind: str, term, today):
    if term is not None:
        return term.starts_on, term.ends_on
    if kind == Report.Kind.BASELINE:
        return child.start_date, due.baseline_due(child.start_date)
    if kind == Report.Kind.TWO_YEAR_CHECK:
        return max(child.start_date, today - TWO_YEAR_PERIOD), today
    return child.start_date, max(today, child.start_date)


@transaction.atomic
def report_create(*, child, kind: str, term=None, author, request=None) -> Report:
    """A new draft, pre-filled from the period's judgements, observations and next steps."""
    _require_writer(author, child, request)
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": "Choose baseline, summative, two_year_check or final."})
    if term is not None and term.setting_id != child.setting_id:
        raise ValidationError({"term_id": "That term belongs to another setting."})
    if kind == Report.Kind.SUMMATIVE and term is None:
        raise ValidationError({"term_id": "A summative report is for a term: choose one."})
    today = setting_today(child.setting)
    start, end = period_for(child, kind, term, today)
    report = Report.objects.create(
        setting_id=child.setting_id,
        child=child,
        kind=kind,
        term=term,
        author=author,
        due_on=due.due_on_for(child, kind, term),
        period_start=start,
        period_end=end,
        **prefill(child, kind, start, end),
    )
    _audit("report.create", report, author, request)
    return report


def _locked(report):
    """The report as it is now, under a lock (two people pressing at once)."""
    return Report.objects.select_for_update().select_related("child").get(pk=report.pk)


def _clean_sections(report, sections) -> list:
    allowed = {level["value"] for level in scale_of(report.child.setting)}
    areas = list(PRIME_AREAS) if report.kind == Report.Kind.TWO_YEAR_CHECK else list(codes().areas)
    given = {}
    for item in sections:
        area = str(item.get("area") or "")
        if area not in areas:
            raise ValidationError({"sections": f"This report has no section for {area or '?'}."})
        judgement = str(item.get("judgement") or "")
        if judgement and judgement not in allowed:
            raise ValidationError(
                {"sections": f"The judgement must be one of: {', '.join(sorted(allowed))}."}
            )
        text = str(item.get("text") or "").strip()
        if len(text) > MAX_TEXT:
            raise ValidationError({"sections": f"Please keep each section under {MAX_TEXT:,}."})
        given[area] = {"area": area, "judgement": judgement, "text": text}
    current = {s["area"]: s for s in report.sections}
    return [
        given.get(area) or current.get(area) or {"area": area, "judgement": "", "text": ""}
        for area in areas
    ]


def _clean_photos(report, photo_ids) -> list:
    photo_ids = [str(pk) for pk in dict.fromkeys(str(p) for p in photo_ids)]
    if len(photo_ids) > MAX_PHOTOS:
        raise ValidationError({"photo_ids": f"Choose up to {MAX_PHOTOS} photos."})
    allowed = {
        str(pk)
        for pk in selectors.photo_candidates(
            report.child, report.period_start, report.period_end
        ).values_list("pk", flat=True)
    }
    if any(pk not in allowed for pk in photo_ids):
        raise ValidationError(
            {"photo_ids": "Choose from this period's photos of the child that can be shared."}
        )
    return photo_ids


@transaction.atomic
def report_update(*, report, editor, request=None, sections=None, photo_ids=None, **texts):
    """Change a draft. `texts`: any of summary, next_steps, strengths, less_than_expected,
    support_plan."""
    _require_writer(editor, report.child, request, "edit reports")
    report = _locked(report)
    if report.status != S.DRAFT:
        raise ReportLocked(
            "This report can't be changed now: it has been sent for review or shared."
            if report.status != S.SHARED
            else "This report has been shared, so it can't be changed. Make a new version."
        )
    changed = []
    if sections is not None:
        report.sections = _clean_sections(report, sections)
        changed.append("sections")
    if photo_ids is not None:
        report.photo_ids = _clean_photos(report, photo_ids)
        changed.append("photo_ids")
    for name, value in texts.items():
        if name not in TEXT_FIELDS:
            raise TypeError(name)
        if value is None:
            continue
        value = str(value).strip()
        if len(value) > MAX_TEXT:
            raise ValidationError({name: f"Please keep this under {MAX_TEXT:,} characters."})
        setattr(report, name, value)
        changed.append(name)
    report.updated_at = timezone.now()
    report.save()
    _audit("report.update", report, editor, request, {"fields": changed})
    return report


@transaction.atomic
def report_submit(*, report, person, request=None) -> Report:
    child = report.child
    _require_staff(person, child, request, "send reports for review")
    if person.pk != child.key_person_id and not _is_leader(person, child):
        raise PermissionDenied(
            f"Only {child.first_name}'s key person or a session leader can send this report "
            "for review."
        )
    report = _locked(report)
    if report.status != S.DRAFT:
        raise ReportLocked("This report has already been sent for review.")
    report.status = S.IN_REVIEW
    report.submitted_by, report.submitted_at = person, timezone.now()
    report.save()
    _audit("report.submit", report, person, request)
    return report


@transaction.atomic
def report_review(*, report, reviewer, approve: bool, comment: str = "", request=None):
    _require_leader(reviewer, report.child, request, "review reports")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": "Say what needs changing, so the author knows."})
    if len(comment) > MAX_TEXT:
        raise ValidationError({"comment": f"Please keep the comment under {MAX_TEXT:,}."})
    report = _locked(report)
    if report.status != S.IN_REVIEW:
        raise ReportLocked("This report isn't waiting for review.")
    ReportReview.objects.create(report=report, reviewer=reviewer, approved=approve, comment=comment)
    if approve:
        report.status = S.APPROVED
        report.approved_by, report.approved_at = reviewer, timezone.now()
    else:
        report.status = S.DRAFT
    report.save()
    _audit("report.review", report, reviewer, request, {"approved": approve})
    return report


@transaction.atomic
def report_share(*, report, person, request=None) -> Report:
    _require_leader(person, report.child, request, "share reports with parents")
    report = _locked(report)
    if report.status != S.APPROVED:
        raise ReportLocked("Only an approved report can be shared.")
    report.status = S.SHARED
    report.shared_by, report.shared_at = person, timezone.now()
    report.save()
    _audit("report.share", report, person, request)
    from acorn.notices.services import report_shared as notice_report_shared

    notice_report_shared(report=report)
    from acorn.reports.tasks import notify_report_shared

    transaction.on_commit(lambda: notify_report_shared.enqueue(str(report.pk)))
    return report


@transaction.atomic
def report_parent_comment(
    *, report, parent, text: str, health_visitor_consent=None, request=None
) -> Report:
    """The parent's view (and, for the two year check, consent to share it with the
    health visitor). A parent of the child, once the report is shared; they may change it."""
    child = report.child
    if child.pk not in linked_child_ids(parent) or child.pk not in active_child_ids(parent):
        raise PermissionDenied(f"Only {child.first_name}'s parents can add their view.")
    text = (text or "").strip()
    if not text and health_visitor_consent is None:
        raise ValidationError({"text": "Write a few words first."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Please keep this under {MAX_TEXT:,} characters."})
    if health_visitor_consent is not None and report.kind != Report.Kind.TWO_YEAR_CHECK:
        raise ValidationError(
            {
                "health_visitor_consent": "Only the progress check at age two goes to the health visitor."
            }
        )
    report = _locked(report)
    if report.status != S.SHARED:
        raise ReportLocked("You can add your view once the report is shared with you.")
    if text:
        report.parent_comment = text
        report.parent_comment_by, report.parent_comment_at = parent, timezone.now()
    if health_visitor_consent is not None:
        report.health_visitor_consent = bool(health_visitor_consent)
        report.health_visitor_consent_at = timezone.now()
    report.save()
    detail = {}
    if health_visitor_consent is not None:
        detail["health_visitor_consent"] = bool(health_visitor_consent)
    _audit("report.parent_comment", report, parent, request, detail)
    return report


@transaction.atomic
def report_revise(*, report, person, request=None) -> Report:
    """A correction of a shared report: a new draft with version + 1, starting from the
    shared text. The shared version stays exactly as it was."""
    _require_writer(person, report.child, request, "correct reports")
    report = _locked(report)
    if report.status != S.SHARED:
        raise ReportLocked("Only a shared report is corrected with a new version.")
    newest = selectors.versions_of(report).select_for_update().first()
    if newest.pk != report.pk:
        raise ReportLocked(f"Version {newest.version} of this report already exists.")
    revision = Report.objects.create(
        series=report.series,
        version=report.version + 1,
        setting_id=report.setting_id,
        child=report.child,
        kind=report.kind,
        term=report.term,
        author=person,
        due_on=report.due_on,
        period_start=report.period_start,
        period_end=report.period_end,
        sections=report.sections,
        photo_ids=report.photo_ids,
        **{name: getattr(report, name) for name in TEXT_FIELDS},
    )
    _audit("report.revise", revision, person, request, {"revises": str(report.pk)})
    return revision

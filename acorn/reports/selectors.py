"""Every read of reports, decided by who is asking.

Staff means cleared staff of the child's setting (A-5): they see every version in every
status. A parent of the child (onboarded, P-1) sees only shared reports. For anyone
else a report does not exist (404); staff of the setting whose checks are incomplete
are told what is missing, as with the journal.
"""

import uuid
from datetime import date
from typing import NamedTuple

from django.http import Http404

from acorn.children.models import Child
from acorn.children.selectors import linked_child_ids, require_onboarded
from acorn.core.kept import statement
from acorn.eyfs.models import Judgement, Term
from acorn.eyfs.selectors import codes, on_track_values, scale_of
from acorn.journal.models import MediaItem, Observation
from acorn.journal.selectors import shareable, with_family_copy
from acorn.leaving.models import Leaving
from acorn.org.selectors import membership_in
from acorn.reports import due
from acorn.reports.models import Report
from acorn.suitability.selectors import is_cleared, refusal_for

S = Report.Status


def is_report_staff(viewer, child) -> bool:
    return is_cleared(viewer, child.setting_id)


def _parent_may_read(viewer, child) -> bool:
    if child.pk not in linked_child_ids(viewer):
        return False
    require_onboarded(viewer, child)
    return True


def report_reader(viewer, child) -> str:
    """How this person reads a child's reports: "staff" (all of them) or "parent" (those
    shared). 404 for anyone else; onboarding first for a parent who hasn't finished it."""
    if is_report_staff(viewer, child):
        return "staff"
    if _parent_may_read(viewer, child):
        return "parent"
    raise Http404("No such child.")


def reports_of(viewer, child):
    """A child's reports as this person may see them, newest first (the child already
    checked with child_for)."""
    reports = Report.objects.filter(child=child).select_related("author", "term")
    if report_reader(viewer, child) == "staff":
        return reports.order_by("-created_at", "-version")
    return reports.filter(status=S.SHARED).order_by("-shared_at", "-version")


@statement
def shared_shown(child_id):
    """The five newest reports shared with a child's family, as the journal's panel shows
    them to a parent (`reports_of` decides first who may see them). Compiled once."""
    return (
        Report.objects.filter(child_id=child_id, status=S.SHARED)
        .order_by("-shared_at", "-version")
        .only("id", "kind", "shared_at", "parent_comment", "version", "status")[:5]
    )


def report_for(viewer, report_id) -> Report:
    """One report, if this person may see it; otherwise 404."""
    try:
        report_id = uuid.UUID(str(report_id))
    except ValueError:
        raise Http404("No such report.") from None
    report = (
        Report.objects.select_related("child", "child__setting", "child__key_person", "term")
        .select_related("author", "child__photo")
        .filter(pk=report_id)
        .first()
    )
    if report is None or not getattr(viewer, "is_authenticated", False):
        raise Http404("No such report.")
    child = report.child
    if is_report_staff(viewer, child):
        return report
    if report.status == S.SHARED and _parent_may_read(viewer, child):
        return report
    if child.pk not in linked_child_ids(viewer):
        membership = membership_in(viewer, child.setting_id)
        if membership is not None:
            raise refusal_for(viewer, membership.setting)
    raise Http404("No such report.")


def versions_of(report):
    return Report.objects.filter(series=report.series).order_by("-version")


def reviews_of(report):
    return report.reviews.select_related("reviewer").order_by("created_at")


def waiting_for_review(setting):
    return (
        Report.objects.filter(child__setting=setting, status=S.IN_REVIEW)
        .select_related("child", "author")
        .order_by("submitted_at")
    )


@statement
def waiting_shown(setting_id):
    """The first 20 `waiting_for_review`, as Today's panel shows them."""
    return waiting_for_review(setting_id)[:20]


# ---------------------------------------------------------------------------------------
# What a report is made from


def latest_judgements(child, *, until) -> dict:
    """{area: value}: each area's latest judgement in a term that started by `until`.
    A judgement of the whole area wins; otherwise the least favourable of its aspects'
    (in the scale's order), so nobody reads "on track" where an aspect is not."""
    scale = [level["value"] for level in scale_of(child.setting)]
    rows = (
        Judgement.objects.filter(
            assessment__child=child,
            assessment__term__setting_id=child.setting_id,
            assessment__term__starts_on__lte=until,
        )
        .values_list("area", "aspect", "value", "assessment__term__starts_on")
        .order_by("assessment__term__starts_on")
    )
    latest: dict = {}  # area -> (starts_on, whole-area value or None, [aspect values])
    for area, aspect, value, starts_on in rows:
        seen = latest.get(area)
        if seen is None or seen[0] < starts_on:
            seen = latest[area] = (starts_on, [None], [])
        if aspect:
            seen[2].append(value)
        else:
            seen[1][0] = value

    def rank(value):
        return scale.index(value) if value in scale else len(scale)

    return {
        area: whole[0] if whole[0] is not None else max(aspects, key=rank)
        for area, (_starts, whole, aspects) in latest.items()
    }


def judgement_labels(setting) -> dict:
    return {level["value"]: level["label"] for level in scale_of(setting)}


def is_on_track(setting, value) -> bool | None:
    if not value:
        return None
    return value in on_track_values(scale_of(setting))


def observations_in_period(child, start, end):
    """The child's published observations in the period, oldest first."""
    return Observation.objects.filter(
        links__child=child,
        status=Observation.Status.PUBLISHED,
        observed_on__gte=start,
        observed_on__lte=end,
    ).order_by("observed_on", "created_at")


def photo_candidates(child, start, end):
    """The period's photos of the child a key person may put in the report: ready photos
    of the child's published observations in which the child appears, read through the
    journal's consent rule as for the child's family (C-2; the report is theirs, and may
    go on to a health visitor): a photo in which another child without image consent
    appears is a candidate only once that child's face is obscured in a shared rendition,
    and then that copy is the one printed (`serve_shared`, `shared_files`, read by
    `delivery.storage_name`)."""
    own = [child.pk]
    return with_family_copy(
        MediaItem.objects.filter(
            kind=MediaItem.Kind.PHOTO,
            status=MediaItem.Status.READY,
            observation__status=Observation.Status.PUBLISHED,
            observation__links__child=child,
            observation__links__observed_on__gte=start,
            observation__links__observed_on__lte=end,
            appearances__child=child,
        )
        .filter(shareable(own))
        .select_related("observation")
        .distinct()
        .order_by("-observation__observed_on", "position"),
        own,
    )


def report_photos(report) -> list:
    """The chosen photos that the consent rule still allows, in the chosen order (a
    withdrawal since choosing takes the photo out)."""
    if not report.photo_ids:
        return []
    allowed = {
        str(item.pk): item
        for item in photo_candidates(report.child, report.period_start, report.period_end).filter(
            pk__in=report.photo_ids
        )
    }
    return [allowed[pk] for pk in report.photo_ids if pk in allowed]


def area_names() -> dict:
    return codes().areas


# ---------------------------------------------------------------------------------------
# Due dates


def due_reports(setting, *, as_of, children=None) -> list[due.Due]:
    """Every report due for the setting's attending children (or these children), with
    its status on `as_of`: four queries whatever the number of children."""
    # Compiled once per process (`acorn.core.kept.statement`): Today asks on every visit.
    if children is None:
        children = [DueChild(*row) for row in _attending.rows(setting.pk)]
    else:
        children = list(children)
    ids = [c.pk for c in children]
    leavings = {leaving.child_id: leaving for leaving in _leavings_of.rows(ids)}
    terms = _terms_begun.rows(setting.pk, as_of)
    reports = [DueReport(*row) for row in _reports_of.rows(ids)]
    latest, shared = {}, set()
    for report in reports:
        key = (report.child_id, report.kind, report.term_id if report.kind == "summative" else None)
        latest[key] = report
        if report.status == S.SHARED:
            shared.add(key)
    rows = []
    for child in children:
        for slot in due.slots_for(child, terms, leavings.get(child.pk)):
            key = (child.pk, slot.kind, slot.term.pk if slot.term is not None else None)
            slot.report = latest.get(key)
            slot.status = due.status_of(
                opens_on=slot.opens_on, due_on=slot.due_on, as_of=as_of, done=key in shared
            )
            rows.append(slot)
    return rows


class DueChild(NamedTuple):
    """What Today's reports panel reads of a child (`due_reports`): no more is read, and
    no model instance built for each of a setting's children (issue 13)."""

    pk: uuid.UUID
    first_name: str
    last_name: str
    date_of_birth: date
    start_date: date

    @property
    def id(self) -> uuid.UUID:
        return self.pk

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class DueReport(NamedTuple):
    """What a slot of `due_reports` reads of a report."""

    pk: uuid.UUID
    child_id: uuid.UUID
    kind: str
    term_id: uuid.UUID | None
    status: str

    @property
    def id(self) -> uuid.UUID:
        return self.pk


@statement
def _attending(setting_id):
    # Children who are leaving (a date recorded, not reached yet) still attend, and their
    # final report falls due by the leaving date.
    return (
        Child.objects.filter(
            setting_id=setting_id, status__in=[Child.Status.ACTIVE, Child.Status.LEFT]
        )
        .order_by("first_name", "last_name", "pk")
        .values_list(*DueChild._fields)
    )


@statement
def _leavings_of(child_ids):
    return Leaving.objects.filter(child__in=child_ids, transferred_at__isnull=True)


@statement
def _terms_begun(setting_id, as_of):
    return Term.objects.filter(setting_id=setting_id, starts_on__lte=as_of).order_by("starts_on")


@statement
def _reports_of(child_ids):
    # Only what a slot names: a setting's reports carry their whole text and sections.
    return (
        Report.objects.filter(child__in=child_ids)
        .order_by("created_at", "version")
        .values_list(*DueReport._fields)
    )

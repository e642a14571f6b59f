from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acorn.core.access import session_leader, session_leader_admin, staff
from acorn.core.policy import Forbidden
from acorn.eyfs import charts, selectors, services
from acorn.suitability.selectors import setting_today

QUIET_DAYS = 14


class TermForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80, help_text="For example Autumn 2026.")
    starts_on = forms.DateField(
        label="First day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label="Last day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@session_leader_admin
def terms(request):
    """Session leaders add the year's terms; everyone's assessments and reports hang off
    them."""
    setting = request.membership.setting
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_create(
                setting=setting, created_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            raise Forbidden(str(error)) from None
        else:
            messages.success(request, f"{term.name} is added.")
            return redirect("eyfs:terms")
    return render(
        request,
        "eyfs/terms.html",
        {
            "form": form,
            "terms": list(selectors.terms_of(setting)),
            "scale": selectors.scale_of(setting),
            "today": setting_today(setting),
        },
    )


@session_leader_admin
@require_POST
def term_delete(request, term_id):
    term = selectors.term_of(request.membership.setting, term_id)
    try:
        services.term_delete(term=term, deleted_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{term.name} is deleted.")
    return redirect("eyfs:terms")


def _grid_columns(by_aspect: bool):
    columns = []
    for area in selectors.framework_areas():
        if by_aspect:
            columns += [
                (area.code, aspect.code, aspect.name, area) for aspect in area.aspects.all()
            ]
        else:
            columns.append((area.code, "", area.name, area))
    return columns


def _cell_name(child_id, area, aspect) -> str:
    return f"cell:{child_id}:{area}:{aspect}"


@staff
def assessment_grid(request):
    """A key person's grid for one term: their key children × areas (or aspects), one tap
    per cell, each cell with that child's observations in the area as evidence."""
    setting = request.membership.setting
    today = setting_today(setting)
    all_terms = list(selectors.terms_of(setting))
    chosen = request.GET.get("term") or request.POST.get("term")
    if chosen:
        term = selectors.term_of(setting, chosen)
    else:
        term = selectors.term_covering(setting, today)
    by_aspect = (request.GET.get("by") or request.POST.get("by")) == "aspect"
    everyone = (request.GET.get("show") or request.POST.get("show")) == "all"
    children = selectors.children_to_assess(request.user, request.membership, everyone=everyone)
    if term is None:
        return render(
            request,
            "eyfs/grid.html",
            {"term": None, "terms": all_terms, "children": children},
        )
    if request.method == "POST":
        return _grid_save(request, setting, term, children, by_aspect, everyone)
    columns = _grid_columns(by_aspect)
    cells = selectors.judgements_by_cell(children, term)
    evidence = selectors.evidence_for(request.user, children, term)
    rows = []
    for child in children:
        row = []
        for area, aspect, name, _area in columns:
            judgement = cells.get((child.pk, area, aspect))
            row.append(
                {
                    "name": _cell_name(child.pk, area, aspect),
                    "label": name,
                    "value": judgement.value if judgement else "",
                    "evidence": evidence.get((child.pk, aspect or area), []),
                }
            )
        rows.append((child, row))
    return render(
        request,
        "eyfs/grid.html",
        {
            "term": term,
            "terms": all_terms,
            "columns": columns,
            "rows": rows,
            "scale": selectors.scale_of(setting),
            "by_aspect": by_aspect,
            "everyone": everyone,
            "children": children,
        },
    )


def _grid_save(request, setting, term, children, by_aspect, everyone):
    """Saves the cells that changed: one cell from the page's script, or the whole grid
    from the no-script "Save" button."""
    by_id = {str(c.pk): c for c in children}
    cells = selectors.judgements_by_cell(children, term)
    single = request.headers.get("X-Acorn-Cell") == "1"
    saved, problems = 0, []
    for key, value in request.POST.items():
        if not key.startswith("cell:"):
            continue
        try:
            _prefix, child_id, area, aspect = key.split(":", 3)
        except ValueError:
            continue
        child = by_id.get(child_id)
        if child is None:
            raise Http404("No such child.")
        current = cells.get((child.pk, area, aspect))
        if (current.value if current else "") == value:
            continue
        try:
            services.judgement_set(
                child=child,
                term=term,
                area=area,
                aspect=aspect,
                value=value,
                assessed_by=request.user,
                request=request,
            )
            saved += 1
        except ValidationError as error:
            problems.append(f"{child.first_name}: {' '.join(error.messages)}")
        except PermissionDenied as error:
            raise Forbidden(str(error)) from None
    if single:
        if problems:
            return JsonResponse({"saved": False, "detail": problems[0]}, status=422)
        return JsonResponse({"saved": True})
    for problem in problems:
        messages.error(request, problem)
    if saved:
        messages.success(request, f"Saved {saved} judgement{'s' if saved != 1 else ''}.")
    query = (
        f"?term={term.pk}" + ("&by=aspect" if by_aspect else "") + ("&show=all" if everyone else "")
    )
    return redirect(f"/assessment/{query}")


def _parse_date(value, default):
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@session_leader
def monitoring(request):
    """R-4 for session leaders: observations per child and area in a period, who hasn't
    been observed lately, who isn't on track, and the cohort views."""
    setting = request.membership.setting
    today = setting_today(setting)
    default_since, default_until = selectors.default_period(setting, today)
    since = _parse_date(request.GET.get("since"), default_since)
    until = _parse_date(request.GET.get("until"), default_until)
    if until < since:
        since, until = until, since
    try:
        quiet_days = min(max(int(request.GET.get("quiet", QUIET_DAYS)), 1), 365)
    except ValueError:
        quiet_days = QUIET_DAYS
    report = selectors.monitoring_for(request.user, setting, since=since, until=until, today=today)
    quiet = [
        row
        for row in report.rows
        if row.days_since_observed is None or row.days_since_observed >= quiet_days
    ]
    quiet.sort(
        key=lambda r: -(r.days_since_observed if r.days_since_observed is not None else 10**6)
    )
    not_on_track = [row for row in report.rows if row.on_track is False]
    area_names = selectors.codes().areas
    labels = {level["value"]: level["label"] for level in report.scale}
    highest = max((n for row in report.rows for n in row.by_area.values()), default=0)
    table = [
        (
            row,
            [
                (code, row.by_area.get(code, 0), _shade(row.by_area.get(code, 0), highest))
                for code in report.area_codes
            ],
        )
        for row in report.rows
    ]
    return render(
        request,
        "eyfs/monitoring.html",
        {
            "report": report,
            "since": since,
            "until": until,
            "quiet_days": quiet_days,
            "quiet": quiet,
            "not_on_track": not_on_track,
            "area_names": area_names,
            "labels": labels,
            "table": table,
            "cohorts": charts.cohorts(report.rows),
            "terms": list(selectors.terms_of(setting)),
            "on_track_count": sum(1 for r in report.rows if r.on_track),
            "unjudged_count": sum(1 for r in report.rows if r.on_track is None),
            "period_days": (until - since).days + 1,
            "last_week": today - timedelta(days=7),
        },
    )


def _shade(count: int, highest: int) -> int:
    """0–4: how dark a table cell is, so gaps stand out at a glance."""
    if not count or not highest:
        return 0
    return min(4, 1 + (3 * count) // highest)

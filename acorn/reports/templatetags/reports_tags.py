"""Panels other pages include with one line, so Today, the key person's start page, the
profile and the journal show reports without their views knowing about them."""

from django import template
from django.http import Http404

from acorn.core.policy import PolicyRefusal
from acorn.core.templatetags.acorn_extras import panel_found
from acorn.reports import selectors
from acorn.reports.rendering import due_rows_html
from acorn.suitability.selectors import is_cleared, setting_today

register = template.Library()

SHOWN = ("overdue", "due")


@register.inclusion_tag("reports/_due_panel.html", takes_context=True)
def reports_due_panel(context, mine=False):
    """Session leaders (Today): every attending child's due and overdue reports, and
    reports waiting for review. A key person (their start page): their key children's."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if membership is None or not is_cleared(request.user, membership.setting_id):
        return {"show": False}
    setting = membership.setting
    children = None
    if mine or not membership.is_session_leader:
        from acorn.eyfs.selectors import key_children_of

        children = key_children_of(request.user, setting).filter(key_person=request.user)
    rows = selectors.due_reports(setting, as_of=setting_today(setting), children=children)
    waiting = (
        selectors.waiting_shown.rows(setting.pk)
        if membership.is_session_leader and not mine and panel_found(context, "reports_waiting")
        else []
    )
    shown = [row for row in rows if row.status in SHOWN]
    return {
        "show": True,
        "rows": bool(shown),
        "rows_html": due_rows_html(shown, show_child=True),
        "done": sum(1 for row in rows if row.status == "done"),
        "waiting": waiting,
        "mine": children is not None,
    }


@register.inclusion_tag("reports/_shared_panel.html", takes_context=True)
def child_reports_link(context, child):
    """On a child's journal: parents see their shared reports; staff a link to all."""
    request = context.get("request")
    try:
        # Who may see the child's reports is decided here, on every request.
        is_staff = selectors.report_reader(request.user, child) == "staff"
    except (Http404, PolicyRefusal):
        return {"show": False}
    return {
        "show": True,
        "child": child,
        # Staff get a link only; a parent the few lines the panel shows of each report.
        "reports": [] if is_staff else selectors.shared_shown.rows(child.pk),
        "is_staff": is_staff,
    }

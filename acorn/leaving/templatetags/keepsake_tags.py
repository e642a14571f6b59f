from django import template

from acorn.core.templatetags.acorn_extras import panel_found
from acorn.leaving.services import may_export

register = template.Library()


@register.inclusion_tag("leaving/_keepsake_button.html", takes_context=True)
def keepsake_button(context, child):
    request = context["request"]
    return {"child": child, "shown": may_export(request.user, child), "request": request}


@register.inclusion_tag("leaving/_subject_access_panel.html", takes_context=True)
def subject_access_panel(context):
    """Today, for cleared session leaders: subject access requests still to answer, each
    with its one-month due date."""
    from acorn.leaving.rules import today
    from acorn.leaving.selectors import open_subject_access
    from acorn.suitability.selectors import is_cleared

    request = context.get("request")
    membership = getattr(request, "membership", None)
    if (
        membership is None
        or not membership.is_session_leader
        or not is_cleared(request.user, membership.setting_id)
    ):
        return {"show": False}
    if not panel_found(context, "subject_access"):
        return {"show": True, "requests": []}
    return {
        "show": True,
        "requests": open_subject_access(membership.setting_id),
        "today": today(),
        "me": request.user,
    }


@register.inclusion_tag("leaving/_imported_panel.html")
def imported_from(child):
    """On the child's profile (the child already checked with child_for): where an
    imported journal came from, and the shared reports that came with it, read-only."""
    from acorn.leaving.models import KeepsakeImport

    record = KeepsakeImport.objects.filter(child=child).first()
    if record is None:
        return {"show": False}
    return {
        "show": True,
        "child": child,
        "record": record,
        "reports": list(child.imported_reports.all()),
    }

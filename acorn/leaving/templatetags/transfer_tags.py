from django import template

from acorn.core.templatetags.acorn_extras import panel_found
from acorn.leaving.selectors import transfers_shown
from acorn.suitability.selectors import is_cleared

register = template.Library()


@register.inclusion_tag("leaving/_transfers_panel.html", takes_context=True)
def transfers_panel(context):
    """Today, for session leaders: children other settings on Acorn are sending here."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if (
        membership is None
        or not membership.is_session_leader
        or not is_cleared(request.user, membership.setting_id)
        or not panel_found(context, "transfers")
    ):
        return {"transfers": []}
    return {"transfers": transfers_shown.rows(membership.setting_id)}

from django import template

from acorn.leaving.services import may_export

register = template.Library()


@register.inclusion_tag("leaving/_keepsake_button.html", takes_context=True)
def keepsake_button(context, child):
    request = context["request"]
    return {"child": child, "shown": may_export(request.user, child), "request": request}

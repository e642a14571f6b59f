from django import template

register = template.Library()


@register.filter
def get_label(mapping, key):
    """A dictionary lookup in a template: {{ labels|get_label:name }}."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key

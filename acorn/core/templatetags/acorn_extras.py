from django import template

register = template.Library()


@register.filter
def get_label(mapping, key):
    """A dictionary lookup in a template: {{ labels|get_label:name }}."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def photo_srcset(item):
    """`srcset` for a ready photo: the thumbnail and the display rendition with their real
    widths (each fits its longest side within the media limits), so a phone's grid loads
    the thumbnail and an iPad or a single large photo gets the sharp one."""
    from django.urls import reverse

    from acorn.journal.media import media_limits

    limits = media_limits()
    width, height = item.width or 0, item.height or 0
    candidates = []
    for rendition, longest in (("thumb", limits.thumb_px), ("display", limits.display_px)):
        if width and height:
            scale = min(1.0, longest / max(width, height))
            shown = round(width * scale)
        else:
            shown = longest
        candidates.append(f"{reverse('journal:media', args=[item.pk, rendition])} {shown}w")
    return ", ".join(candidates)

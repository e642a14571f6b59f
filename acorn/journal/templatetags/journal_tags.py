from django import template

from acorn.journal.rendering import Links, entry_html

register = template.Library()


@register.simple_tag(takes_context=True)
def journal_entry(context, observation, shown, link=False, show_feedback=False, name_child=False):
    """{% journal_entry observation shown link=True %}: one entry (journal.rendering)."""
    links = context.render_context.get("journal_links")
    if links is None:
        links = context.render_context["journal_links"] = Links()
    return entry_html(
        observation,
        shown,
        link_to_entry=link,
        show_feedback=show_feedback,
        name_child=name_child,
        links=links,
    )

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from acorn.journal.forms import JournalFilterForm
from acorn.journal.rendering import Links, entry_html, review_form_html

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


@register.simple_tag
def journal_entries(entries):
    """{% journal_entries entries %}: a journal page's entries, each with its link, in one
    go rather than a template loop and a tag per entry (issue 13)."""
    links = Links()
    html = (
        entry_html(observation, shown, link_to_entry=True, links=links)
        for observation, shown in entries
    )
    return mark_safe("".join(f"\n  {entry}\n" for entry in html))  # noqa: S308 - escaped as built


@register.simple_tag
def filter_fields(form):
    """{% filter_fields filter_form %}: the journal's filter boxes. Empty (no form: nobody
    has filtered yet, nearly every visit) they are the same for everyone, so they are
    written once per process: Django's widgets took a tenth of the page (issue 13)."""
    if form is not None and form.is_bound:
        return render_to_string("journal/_filter_fields.html", {"f": form})
    if _EMPTY_FILTERS.get("html") is None:
        empty = JournalFilterForm()
        _EMPTY_FILTERS["html"] = render_to_string("journal/_filter_fields.html", {"f": empty})
    return _EMPTY_FILTERS["html"]


_EMPTY_FILTERS: dict = {}


@register.simple_tag(takes_context=True)
def review_entries(context, entries, next_url):
    """{% review_entries entries next %}: the review list's entries, each with its review
    form, in one go: the template engine's loop and two tags an entry cost more than the
    entries themselves (issue 13)."""
    from acorn.core.templatetags.acorn_extras import linker

    links, review_link = Links(), linker("journal:review_submit", 1)
    csrf_token = str(context.get("csrf_token"))  # the lazy token read once, not per form
    out = []
    for observation, shown in entries:
        entry = entry_html(
            observation, shown, link_to_entry=True, show_feedback=True, name_child=True,
            links=links,
        )  # fmt: skip
        form = review_form_html(
            observation,
            action=review_link(observation.pk),
            csrf_token=csrf_token,
            next_url=next_url,
        )
        out.append(f"\n  {entry}\n  {form}\n")
    return mark_safe("".join(out))  # noqa: S308 - both parts are escaped as they are built

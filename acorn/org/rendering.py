"""Today's list of observations a session leader supervised, written in Python rather than
as a template loop: twenty rows of links, dates and names cost the template engine more
than the query did (issue 13). The same markup as `org/dashboard.html` had, every value
escaped."""

from django.utils.safestring import mark_safe

from acorn.core.templatetags.acorn_extras import escape, linker, short_date
from acorn.journal.rendering import truncatechars


def supervised_html(observations) -> str:
    """One `<li>` per entry: its date and the start of its text, linked to the entry, and
    who wrote it."""
    entry_link = linker("journal:observation", 1)
    rows = [
        f'<li><a href="{escape(entry_link(obs.pk))}">{short_date(obs.observed_on)}: '
        f"{escape(truncatechars(obs.text, 80))}</a> "
        f'<span class="muted">by {escape(obs.author.name)}</span></li>'
        for obs in observations
    ]
    return mark_safe("\n  ".join(rows))  # noqa: S308 - every value above is escaped

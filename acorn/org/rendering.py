"""Today's lists written in Python rather than as template loops: the observations a
session leader supervised, and the staff suitability register. Twenty rows of links, dates
and names cost the template engine more than the queries did (issue 13). The same markup
as `org/dashboard.html` had, every value escaped."""

from django.utils.safestring import mark_safe

from acorn.core.templatetags.acorn_extras import escape, linker, short_date
from acorn.journal.rendering import truncatechars
from acorn.org.models import Membership
from acorn.suitability.selectors import SHORT_LABELS

_ROLES = {role: escape(label) for role, label in Membership.Role.choices}
_MISSING = {
    name: f'<span class="chip warn">{escape(label)}</span> ' for name, label in SHORT_LABELS.items()
}


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


def register_rows_html(register) -> str:
    """One table row per member of staff (`clearance_register`): their name, role, whether
    they are cleared, the checks missing, and a link to their checks."""
    person_link = linker("suitability:person", 1)
    rows = []
    for member, clearance in register:
        name = escape(member.user.name)
        if clearance.cleared:
            status = '<span class="chip ok">Cleared</span>'
        else:
            status = '<span class="chip bad">Checks incomplete</span>'
        missing = "".join(
            _MISSING.get(check) or f'<span class="chip warn">{escape(check)}</span> '
            for check in clearance.missing
        )
        rows.append(
            f'<tr>\n      <th scope="row" class="card-title">{name}</th>\n'
            f'      <td data-label="Role">{_ROLES.get(member.role) or escape(member.role)}</td>\n'
            f'      <td data-label="Status">{status}</td>\n'
            f'      <td data-label="Missing">{missing or "—"}</td>\n'
            f'      <td><a class="button small" href="{escape(person_link(member.user_id))}">'
            f'Checks<span class="visually-hidden"> for {name}</span></a></td>\n    </tr>'
        )
    return mark_safe("\n    ".join(rows))  # noqa: S308 - every value above is escaped

"""Rows of reports due, as HTML, written in Python: Today lists every overdue and due
report of the setting (80 rows for 40 children is common), and the template engine's
include per row took more of the page's time than its queries (issue 13). Every value is
escaped."""

from django.utils.safestring import mark_safe

from acorn.core.templatetags.acorn_extras import escape, linker, short_date
from acorn.reports.models import Report

_KIND_LABELS = {kind: escape(label) for kind, label in Report.Kind.choices}


def due_rows_html(rows, *, show_child: bool) -> str:
    """One `<li>` per slot: the child (on Today), the report's kind (a link once a report
    exists), the term, and whether it is overdue, due, done or upcoming."""
    child_link = linker("reports:child", 1)
    report_link = linker("reports:detail", 1)
    items = []
    for row in rows:
        parts = []
        if show_child:
            parts.append(
                f'<a class="text-link" href="{escape(child_link(row.child.pk))}">'
                f"{escape(row.child.full_name)}</a>: "
            )
        label = _KIND_LABELS[row.kind]
        if row.report is not None:
            parts.append(
                f'<a class="text-link" href="{escape(report_link(row.report.pk))}">{label}</a>'
            )
        else:
            parts.append(label)
        if row.term is not None:
            parts.append(f", {escape(row.term.name)}")
        if row.status == "overdue":
            chip = f'<span class="chip bad">Overdue since {short_date(row.due_on)}</span>'
        elif row.status == "due":
            chip = f'<span class="chip warn">Due by {short_date(row.due_on, year=True)}</span>'
        elif row.status == "done":
            chip = '<span class="chip ok">Done</span>'
        else:
            chip = f'<span class="muted">From {short_date(row.opens_on, year=True)}</span>'
        items.append(f"<li>{''.join(parts)}\n{chip}\n</li>")
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped

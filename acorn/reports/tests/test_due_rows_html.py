"""Issue 13: rows of reports due are written in Python (`reports/rendering.py`) for Today
and a child's reports page. Each row names the child (on Today), the kind (a link once a
report exists), the term and the status, with every value escaped."""

from datetime import date
from types import SimpleNamespace

from acorn.reports.rendering import due_rows_html


def _row(kind, status, *, report=None, term=None):
    child = SimpleNamespace(pk="5f0c2a1e-0000-4000-8000-000000000001", full_name="Zak <O'Neil>")
    return SimpleNamespace(
        child=child,
        kind=kind,
        status=status,
        report=report,
        term=term,
        due_on=date(2026, 10, 13),
        opens_on=date(2026, 9, 1),
    )


def test_each_status_reads_as_a_practitioner_expects():
    report = SimpleNamespace(pk="5f0c2a1e-0000-4000-8000-00000000000a")
    term = SimpleNamespace(name="Autumn & Winter")
    html = due_rows_html(
        [
            _row("baseline", "overdue"),
            _row("summative", "due", term=term),
            _row("two_year_check", "done", report=report),
            _row("final", "upcoming"),
        ],
        show_child=True,
    )
    items = html.split("</li>")[:-1]
    assert len(items) == 4
    assert "Baseline assessment" in items[0] and "Overdue since 13 Oct<" in items[0]
    assert "Summative report, Autumn &amp; Winter" in items[1]
    assert "Due by 13 Oct 2026" in items[1]
    assert f'href="/reports/{report.pk}/">Progress check at age two</a>' in items[2]
    assert '<span class="chip ok">Done</span>' in items[2]
    assert "Final report" in items[3] and "From 1 Sep 2026" in items[3]
    # The child's name leads to their reports, escaped.
    assert 'href="/children/5f0c2a1e-0000-4000-8000-000000000001/reports/"' in items[0]
    assert "Zak &lt;O&#x27;Neil&gt;</a>: " in items[0] and "<O'Neil>" not in html


def test_a_childs_own_page_leaves_the_name_out():
    html = due_rows_html([_row("baseline", "due")], show_child=False)
    assert html.startswith("<li>Baseline assessment\n") and "Zak" not in html

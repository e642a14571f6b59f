"""When each report is due (R-3), exactly as API.md says:

- a baseline is due 6 weeks after the child's start date;
- a two year check is due by the third birthday, for a child who is between 24 and 36
  months old while at the setting (one who starts after their third birthday has none);
- a summative report is due at the end of each term the child attends (every term that
  ends on or after their start date);
- a final report by the leaving date, once a session leader has recorded one (L-1); its
  window opens four weeks before (or when the leaving is recorded, if later).

Each is `upcoming` before its window opens, `due` while it is open, `overdue` after the
due date, and `done` once a report of that kind (and term) has been shared with parents,
whenever that was. Windows open: a baseline at the start date; a two year check at the
second birthday (or the start date, if later); a summative report four weeks before the
end of the term (or at its start, for a shorter term).

Birthdays of children born on 29 February fall on 1 March in other years, as the law
counts age in England (Family Law Reform Act 1969, s. 9).
"""

from dataclasses import dataclass
from datetime import date, timedelta

BASELINE_WEEKS = 6
SUMMATIVE_WINDOW = timedelta(weeks=4)


def birthday(date_of_birth: date, years: int) -> date:
    """The day a child turns `years` old (29 February → 1 March in a common year)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return date(date_of_birth.year + years, 3, 1)


def baseline_due(start_date: date) -> date:
    return start_date + timedelta(weeks=BASELINE_WEEKS)


def two_year_check_applies(date_of_birth: date, start_date: date) -> bool:
    """Between 24 and 36 months old at some time while at the setting."""
    return start_date < birthday(date_of_birth, 3)


def two_year_check_due(date_of_birth: date) -> date:
    return birthday(date_of_birth, 3)


@dataclass
class Due:
    child: object
    kind: str
    due_on: date
    opens_on: date
    term: object = None
    report: object = None  # the latest version of the report for this slot, if any
    status: str = "upcoming"

    @property
    def report_id(self):
        return self.report.pk if self.report is not None else None


def status_of(*, opens_on: date, due_on: date, as_of: date, done: bool) -> str:
    if done:
        return "done"
    if as_of > due_on:
        return "overdue"
    if as_of >= opens_on:
        return "due"
    return "upcoming"


FINAL_WINDOW = timedelta(weeks=4)


def slots_for(child, terms, leaving=None) -> list[Due]:
    """The reports this child should have, with their due dates (statuses not yet set).
    `leaving`: the child's leaving record, if one has been made."""
    slots = [
        Due(
            child=child,
            kind="baseline",
            due_on=baseline_due(child.start_date),
            opens_on=child.start_date,
        )
    ]
    if two_year_check_applies(child.date_of_birth, child.start_date):
        slots.append(
            Due(
                child=child,
                kind="two_year_check",
                due_on=two_year_check_due(child.date_of_birth),
                opens_on=max(birthday(child.date_of_birth, 2), child.start_date),
            )
        )
    for term in terms:
        if term.ends_on < child.start_date:
            continue
        slots.append(
            Due(
                child=child,
                kind="summative",
                due_on=term.ends_on,
                opens_on=max(term.starts_on, term.ends_on - SUMMATIVE_WINDOW),
                term=term,
            )
        )
    if leaving is not None:
        slots.append(
            Due(
                child=child,
                kind="final",
                due_on=leaving.leaving_on,
                opens_on=min(
                    leaving.leaving_on,
                    max(leaving.leaving_on - FINAL_WINDOW, leaving.recorded_at.date()),
                ),
            )
        )
    return slots


def due_on_for(child, kind: str, term=None) -> date | None:
    """The due date a new report of this kind takes."""
    if kind == "baseline":
        return baseline_due(child.start_date)
    if kind == "two_year_check":
        return two_year_check_due(child.date_of_birth)
    if kind == "summative" and term is not None:
        return term.ends_on
    if kind == "final":
        leaving = getattr(child, "leaving", None) if _has_leaving(child) else None
        return leaving.leaving_on if leaving is not None else None
    return None


def _has_leaving(child) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        child.leaving  # noqa: B018 - a reverse one-to-one raises when there is none
    except ObjectDoesNotExist:
        return False
    return True

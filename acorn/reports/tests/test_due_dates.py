"""R-3 due dates at their edges (API.md): a baseline 6 weeks after the start date, the
two year check by the third birthday for a child aged 24 to 36 months while at the
setting, a summative report at the end of each term; upcoming, due, overdue, done."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from acorn.core.tests import factories as f
from acorn.eyfs.models import Term
from acorn.leaving.models import Leaving
from acorn.reports import due
from acorn.reports.models import Report

LONDON = ZoneInfo("Europe/London")


def at(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 12, tzinfo=LONDON), tick=False
    )


def rows(api, person, setting, as_of=None, child=None):
    params = {"as_of": as_of.isoformat()} if as_of else {}
    answer = api(person).get(f"/settings/{setting.pk}/reports/due", **params)
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    if child is not None:
        items = [i for i in items if i["child_id"] == str(child.pk)]
    return items


def status(items, kind, term=None):
    found = [
        i for i in items if i["kind"] == kind and (term is None or i["term_id"] == str(term.pk))
    ]
    return (found[0]["status"], found[0]["due_on"]) if found else None


@pytest.fixture
def newcomer(world):
    return f.ChildFactory(
        setting=world.setting_a,
        key_person=world.key_person,
        date_of_birth=date(2023, 6, 15),
        start_date=date(2025, 9, 1),
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 8, 31), "upcoming"),
        (date(2025, 9, 1), "due"),
        (date(2025, 10, 13), "due"),  # exactly 6 weeks: the due date itself
        (date(2025, 10, 14), "overdue"),
    ],
)
def test_baseline_is_due_six_weeks_after_the_start_date(world, api, newcomer, day, expected):
    items = rows(api, world.manager, world.setting_a, as_of=day, child=newcomer)
    assert status(items, "baseline") == (expected, "2025-10-13")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 5, 9), "upcoming"),  # 23 months
        (date(2025, 5, 10), "due"),  # 24 months: the window opens
        (date(2026, 5, 10), "due"),  # the third birthday: due by then
        (date(2026, 5, 11), "overdue"),
    ],
)
def test_two_year_check_between_24_and_36_months(world, api, day, expected):
    child = f.ChildFactory(
        setting=world.setting_a, date_of_birth=date(2023, 5, 10), start_date=date(2024, 9, 2)
    )
    items = rows(api, world.manager, world.setting_a, as_of=day, child=child)
    assert status(items, "two_year_check") == (expected, "2026-05-10")


def test_no_two_year_check_for_a_child_who_starts_at_three(world, api):
    on_birthday = f.ChildFactory(
        setting=world.setting_a, date_of_birth=date(2022, 9, 1), start_date=date(2025, 9, 1)
    )
    day_before = f.ChildFactory(
        setting=world.setting_a, date_of_birth=date(2022, 9, 2), start_date=date(2025, 9, 1)
    )
    items = rows(api, world.manager, world.setting_a, as_of=date(2025, 9, 1))
    assert (
        status([i for i in items if i["child_id"] == str(on_birthday.pk)], "two_year_check") is None
    )
    assert status([i for i in items if i["child_id"] == str(day_before.pk)], "two_year_check") == (
        "due",
        "2025-09-02",
    )


def test_child_born_on_29_february_has_birthdays_on_1_march(world, api):
    leapling = f.ChildFactory(
        setting=world.setting_a, date_of_birth=date(2024, 2, 29), start_date=date(2025, 1, 6)
    )
    assert due.birthday(leapling.date_of_birth, 2) == date(2026, 3, 1)
    assert due.birthday(leapling.date_of_birth, 3) == date(2027, 3, 1)
    assert due.birthday(leapling.date_of_birth, 4) == date(2028, 2, 29)

    def on(day):
        items = rows(api, world.manager, world.setting_a, as_of=day, child=leapling)
        return status(items, "two_year_check")

    assert on(date(2026, 2, 28)) == ("upcoming", "2027-03-01")
    assert on(date(2026, 3, 1))[0] == "due"
    assert on(date(2027, 3, 1))[0] == "due"
    # Without as_of, the setting's today: frozen on the day after the third birthday.
    with at(date(2027, 3, 2)):
        items = rows(api, world.manager, world.setting_a, child=leapling)
    assert status(items, "two_year_check")[0] == "overdue"


def test_summative_reports_are_due_at_the_end_of_each_term_across_the_year_end(
    world, api, newcomer
):
    autumn = Term.objects.create(
        setting=world.setting_a,
        name="Autumn 2025",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 31),
    )
    spring = Term.objects.create(
        setting=world.setting_a,
        name="Spring 2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
    )
    items = rows(api, world.manager, world.setting_a, as_of=date(2025, 12, 3), child=newcomer)
    assert status(items, "summative", autumn) == ("due", "2025-12-31")
    assert status(items, "summative", spring) is None  # hasn't started
    items = rows(api, world.manager, world.setting_a, as_of=date(2025, 12, 31), child=newcomer)
    assert status(items, "summative", autumn)[0] == "due"
    items = rows(api, world.manager, world.setting_a, as_of=date(2026, 1, 1), child=newcomer)
    assert status(items, "summative", autumn)[0] == "overdue"
    assert status(items, "summative", spring) == ("upcoming", "2026-03-31")
    items = rows(api, world.manager, world.setting_a, as_of=date(2026, 3, 4), child=newcomer)
    assert status(items, "summative", spring)[0] == "due"  # last four weeks


def test_a_shared_report_makes_it_done_and_names_it(world, api, newcomer):
    report = Report.objects.create(
        setting=world.setting_a,
        child=newcomer,
        kind="baseline",
        status="shared",
        period_start=newcomer.start_date,
        period_end=date(2025, 10, 13),
    )
    draft = Report.objects.create(
        setting=world.setting_a,
        child=newcomer,
        kind="two_year_check",
        status="draft",
        period_start=newcomer.start_date,
        period_end=date(2025, 10, 13),
    )
    items = rows(api, world.manager, world.setting_a, as_of=date(2025, 12, 1), child=newcomer)
    baseline = next(i for i in items if i["kind"] == "baseline")
    assert baseline["status"] == "done" and baseline["report_id"] == str(report.pk)
    check = next(i for i in items if i["kind"] == "two_year_check")
    assert check["status"] == "due" and check["report_id"] == str(draft.pk)


def test_final_report_has_no_due_date_without_a_leaving_date(world, api, newcomer):
    items = rows(api, world.manager, world.setting_a, as_of=date(2025, 12, 1), child=newcomer)
    assert not [i for i in items if i["kind"] == "final"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 23), "upcoming"),
        (date(2026, 6, 24), "due"),  # four weeks before the leaving date
        (date(2026, 7, 22), "due"),  # the leaving date itself
    ],
)
def test_final_report_is_due_by_the_leaving_date(world, api, newcomer, day, expected):
    Leaving.objects.create(
        child=newcomer,
        leaving_on=date(2026, 7, 22),
        destination_name="Oak Primary School",
        recorded_at=datetime(2026, 5, 1, 12, tzinfo=LONDON),
    )
    newcomer.status = "left"
    newcomer.save(update_fields=["status"])
    items = rows(api, world.manager, world.setting_a, as_of=day, child=newcomer)
    assert status(items, "final") == (expected, "2026-07-22")
    newcomer.refresh_from_db()
    assert due.due_on_for(newcomer, "final") == date(2026, 7, 22)


def test_due_list_is_for_the_settings_cleared_staff(world, api):
    path = f"/settings/{world.setting_a.pk}/reports/due"
    assert api(world.key_person).get(path).status_code == 200
    assert api(world.parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404
    uncleared = f.staff(world.setting_a, cleared=False)
    assert api(uncleared).get(path).json()["code"] == "checks_incomplete"

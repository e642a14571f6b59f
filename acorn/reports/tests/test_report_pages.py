"""The report pages, for the person each is for and for everyone else (three people,
plus uncleared staff)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acorn.core.tests import factories as f
from acorn.reports import services
from acorn.reports.models import Report
from acorn.reports.tests.helpers import observe_with_photo, scene, this_term


@pytest.fixture
def draft(world):
    return services.report_create(child=world.child, kind="two_year_check", author=world.key_person)


def share(report, world):
    report = services.report_submit(report=report, person=world.key_person)
    report = services.report_review(report=report, reviewer=world.manager, approve=True)
    return services.report_share(report=report, person=world.manager)


def test_key_person_starts_edits_and_sends_a_report_for_review(world, web):
    _, photo = observe_with_photo(world.key_person, [world.child], "Xander jumped.", image=scene(3))
    key = web(world.key_person)
    page = key.get(f"/children/{world.child.pk}/reports/")
    assert page.status_code == 200 and b"Start a report" in page.content
    made = key.post(f"/children/{world.child.pk}/reports/new", {"kind": "two_year_check"})
    assert made.status_code == 302
    report = Report.objects.get(child=world.child)
    page = key.get(made.url)
    assert b"Xander jumped." in page.content and str(photo.pk).encode() in page.content
    saved = key.post(
        made.url,
        {
            "summary": "A lovely term.",
            "judgement:CL": "on_track",
            "text:CL": "Talks in short sentences.",
            "judgement:PSED": "",
            "text:PSED": "",
            "judgement:PD": "",
            "text:PD": "",
            "strengths": "Kind to friends.",
            "less_than_expected": "",
            "support_plan": "",
            "next_steps": "",
            "photos": [str(photo.pk)],
            "then": "submit",
        },
    )
    assert saved.status_code == 302
    report.refresh_from_db()
    assert report.status == "in_review"
    assert report.summary == "A lovely term." and report.photo_ids == [str(photo.pk)]
    assert report.sections[0] == {
        "area": "CL",
        "judgement": "on_track",
        "text": "Talks in short sentences.",
    }


def test_leader_sends_back_approves_and_shares_and_the_parent_comments(
    world, web, draft, django_capture_on_commit_callbacks
):
    services.report_submit(report=draft, person=world.key_person)
    manager = web(world.manager)
    assert b"Send back with the comment" in manager.get(f"/reports/{draft.pk}/").content
    manager.post(f"/reports/{draft.pk}/review", {"approve": "0", "comment": "Say more about PD."})
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert b"Say more about PD." in web(world.key_person).get(f"/reports/{draft.pk}/").content
    services.report_submit(report=draft, person=world.key_person)
    manager.post(f"/reports/{draft.pk}/review", {"approve": "1", "comment": ""})
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/reports/{draft.pk}/share")
    draft.refresh_from_db()
    assert draft.status == "shared"
    parent = web(world.parent)
    journal = parent.get(f"/children/{world.child.pk}/journal")
    assert f"/reports/{draft.pk}/".encode() in journal.content
    page = parent.get(f"/reports/{draft.pk}/")
    assert (
        page.status_code == 200
        and b"May we share this check with your health visitor?" in page.content
    )
    parent.post(f"/reports/{draft.pk}/comment", {"text": "He loves it.", "health_visitor": "yes"})
    draft.refresh_from_db()
    assert draft.parent_comment == "He loves it." and draft.health_visitor_consent is True


def test_parent_never_sees_a_draft_or_another_familys_report(world, web, draft):
    parent = web(world.parent)
    assert parent.get(f"/reports/{draft.pk}/").status_code == 404
    assert parent.get(f"/reports/{draft.pk}/pdf").status_code == 404
    assert b"Reports about" not in parent.get(f"/children/{world.child.pk}/journal").content
    report = share(draft, world)
    for outsider in (world.other_parent, world.other_manager, world.far_parent):
        client = web(outsider)
        assert client.get(f"/reports/{report.pk}/").status_code == 404
        assert client.get(f"/reports/{report.pk}/pdf").status_code == 404
        assert client.get(f"/children/{world.child.pk}/reports/").status_code == 404
    assert (
        web(world.other_parent)
        .post(f"/reports/{report.pk}/comment", {"text": "Not mine"})
        .status_code
        == 404
    )
    report.refresh_from_db()
    assert report.parent_comment == ""


def test_uncleared_staff_are_told_what_is_missing(world, web, draft):
    uncleared = f.staff(world.setting_a, cleared=False)
    answer = web(uncleared).get(f"/reports/{draft.pk}/")
    assert answer.status_code == 403


def test_practitioner_who_is_not_the_key_person_cannot_change_or_send_it(world, web, draft):
    practitioner = f.staff(world.setting_a)
    client = web(practitioner)
    assert client.post(f"/reports/{draft.pk}/", {"summary": "Mine now"}).status_code == 403
    assert client.post(f"/reports/{draft.pk}/submit").status_code == 403
    draft.refresh_from_db()
    assert draft.summary != "Mine now" and draft.status == "draft"


def test_shared_report_is_read_only_and_can_be_corrected_as_a_new_version(world, web, draft):
    report = share(draft, world)
    key = web(world.key_person)
    key.post(f"/reports/{report.pk}/", {"summary": "Sneaky edit"})
    report.refresh_from_db()
    assert report.summary != "Sneaky edit"
    revised = key.post(f"/reports/{report.pk}/revise")
    new = Report.objects.get(series=report.series, version=2)
    assert revised.url == f"/reports/{new.pk}/"


def test_today_and_the_key_persons_start_page_show_reports_due(world, web):
    overdue = f.ChildFactory(
        setting=world.setting_a,
        first_name="Olive",
        key_person=world.key_person,
        start_date=timezone.localdate() - timedelta(weeks=8),
        date_of_birth=timezone.localdate() - timedelta(days=365 * 2 + 100),
    )
    this_term(world.setting_a)
    today = web(world.manager).get("/dashboard/")
    assert today.status_code == 200
    assert b"Olive Example" in today.content and b"Overdue since" in today.content
    start = web(world.key_person).get("/children/?show=mine")
    assert b"Your reports to write" in start.content
    assert f"/children/{overdue.pk}/reports/".encode() in start.content
    assert b"Olive Example" not in web(world.other_manager).get("/dashboard/").content

"""The reports of R-2 through the API: pre-filled drafts, review, sharing, the parent's
view, locking and versions, and who may see what."""

import pytest
from django.core import mail

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.reports.models import Report
from acorn.reports.tests.helpers import judge, observe_with_photo, this_term


@pytest.fixture
def term(world):
    return this_term(world.setting_a)


def create(api, person, child, kind="two_year_check", term=None):
    body = {"kind": kind}
    if term is not None:
        body["term_id"] = str(term.pk)
    return api(person).post(f"/children/{child.pk}/reports", body)


def shared_report(world, api, kind="two_year_check", term=None):
    report = create(api, world.key_person, world.child, kind, term).json()
    rid = report["id"]
    assert api(world.key_person).post(f"/reports/{rid}/submit").status_code == 200
    manager = api(world.manager)
    assert (
        manager.post(f"/reports/{rid}/review", {"approve": True, "comment": ""}).status_code == 200
    )
    assert manager.post(f"/reports/{rid}/share").status_code == 200
    return rid


def test_two_year_check_is_prefilled_from_judgements_and_observations(world, api, term):
    judge(
        world.child,
        term,
        world.key_person,
        [
            {"area": "CL", "judgement": "on_track"},
            {"area": "PSED", "judgement": "at_risk"},
            {"area": "PD", "judgement": "on_track"},
            {"area": "M", "judgement": "not_on_track"},
        ],
    )
    f.observation(
        author=world.key_person,
        children=[world.child, world.other_child],
        text="Xander asked Yasmin Zed for the red car. Then he shared it.",
        areas=["CL"],
        next_steps="Offer turn-taking games.",
    )
    response = create(api, world.key_person, world.child)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 1
    assert [s["area"] for s in body["sections"]] == ["CL", "PSED", "PD"]
    judged = {s["area"]: s["judgement"] for s in body["sections"]}
    assert judged == {"CL": "on_track", "PSED": "at_risk", "PD": "on_track"}
    cl = body["sections"][0]["text"]
    assert "observed 1 time" in cl and "Y.Z." in cl and "Yasmin" not in cl
    assert "Personal, social and emotional development" in body["less_than_expected"]
    assert "communication and language" in body["strengths"].lower()
    assert "Offer turn-taking games." in body["next_steps"]
    assert body["due_on"] == "2026-03-01"  # third birthday of a child born 1 March 2023
    assert AuditEvent.objects.filter(action="report.create", child_id=world.child.pk).exists()


def test_summative_needs_a_term_and_covers_it(world, api, term):
    assert create(api, world.key_person, world.child, "summative").status_code == 422
    body = create(api, world.key_person, world.child, "summative", term).json()
    assert body["period_start"] == term.starts_on.isoformat()
    assert body["due_on"] == term.ends_on.isoformat()
    assert len(body["sections"]) == 7


def test_review_comment_goes_back_to_the_author_then_approve_share_and_parent_comment(
    world, api, term, django_capture_on_commit_callbacks
):
    rid = create(api, world.key_person, world.child).json()["id"]
    key = api(world.key_person)
    manager = api(world.manager)
    assert key.patch(f"/reports/{rid}", {"summary": "A happy term."}).status_code == 200
    assert key.post(f"/reports/{rid}/submit").json()["status"] == "in_review"
    assert key.patch(f"/reports/{rid}", {"summary": "Changed"}).status_code == 409
    assert (
        manager.post(f"/reports/{rid}/review", {"approve": False, "comment": ""}).status_code == 422
    )
    back = manager.post(f"/reports/{rid}/review", {"approve": False, "comment": "Add PD."})
    assert back.json()["status"] == "draft"
    assert Report.objects.get(pk=rid).reviews.get().comment == "Add PD."
    assert key.post(f"/reports/{rid}/submit").status_code == 200
    assert manager.post(f"/reports/{rid}/share").status_code == 409  # not approved yet
    assert (
        manager.post(f"/reports/{rid}/review", {"approve": True, "comment": ""}).json()["status"]
        == "approved"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shared = manager.post(f"/reports/{rid}/share").json()
    assert shared["status"] == "shared" and shared["shared_at"]
    assert [m.to for m in mail.outbox] == [[world.parent.email]]
    assert "Xander" not in mail.outbox[0].body and f"/reports/{rid}/" in mail.outbox[0].body
    parent = api(world.parent)
    answer = parent.post(
        f"/reports/{rid}/parent-comment",
        {"text": "He loves the car park game.", "health_visitor_consent": True},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["parent_comment"] == "He loves the car park game."
    assert answer.json()["health_visitor_consent"] is True
    assert key.patch(f"/reports/{rid}", {"summary": "Changed"}).status_code == 409
    actions = set(AuditEvent.objects.filter(object_id=rid).values_list("action", flat=True))
    assert {
        "report.create",
        "report.update",
        "report.submit",
        "report.review",
        "report.share",
        "report.parent_comment",
    } <= actions


def test_only_key_person_or_leader_submits_and_only_leaders_review_and_share(world, api, term):
    practitioner = f.staff(world.setting_a, name="Pip Practitioner")
    assert create(api, practitioner, world.child).status_code == 403
    rid = create(api, world.key_person, world.child).json()["id"]
    assert api(practitioner).post(f"/reports/{rid}/submit").status_code == 403
    assert api(world.key_person).post(f"/reports/{rid}/submit").status_code == 200
    refused = api(world.key_person).post(f"/reports/{rid}/review", {"approve": True, "comment": ""})
    assert refused.status_code == 403
    assert Report.objects.get(pk=rid).status == "in_review"


def test_shared_report_is_locked_and_a_correction_is_a_new_version(world, api, term):
    rid = shared_report(world, api)
    key = api(world.key_person)
    assert key.patch(f"/reports/{rid}", {"summary": "Oops"}).status_code == 409
    revision = key.post(f"/reports/{rid}/revise")
    assert revision.status_code == 201
    new = revision.json()
    assert new["version"] == 2 and new["status"] == "draft" and new["id"] != rid
    assert key.patch(f"/reports/{new['id']}", {"summary": "Corrected"}).status_code == 200
    assert key.post(f"/reports/{rid}/revise").status_code == 409  # version 2 exists
    old = api(world.parent).get(f"/reports/{rid}").json()
    assert old["summary"] != "Corrected" and old["version"] == 1
    # The parent sees version 1 (shared) only, not the draft of version 2.
    assert api(world.parent).get(f"/reports/{new['id']}").status_code == 404
    listed = api(world.parent).get(f"/children/{world.child.pk}/reports").json()["items"]
    assert [r["id"] for r in listed] == [rid]


def test_parents_see_only_their_own_childs_shared_reports(world, api, term):
    draft = create(api, world.key_person, world.child).json()["id"]
    rid = shared_report(world, api)
    assert api(world.parent).get(f"/reports/{draft}").status_code == 404
    assert api(world.parent).get(f"/reports/{draft}/pdf").status_code == 404
    assert api(world.parent).get(f"/reports/{rid}").status_code == 200
    pdf = api(world.parent).get(f"/reports/{rid}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]
    for outsider in (world.other_parent, world.other_manager, world.far_parent):
        client = api(outsider)
        assert client.get(f"/reports/{rid}").status_code == 404
        assert client.get(f"/reports/{rid}/pdf").status_code == 404
        assert client.post(f"/reports/{rid}/parent-comment", {"text": "Hi"}).status_code == 404
        assert client.get(f"/children/{world.child.pk}/reports").status_code == 404
    assert api(world.other_manager).post(f"/reports/{rid}/revise").status_code == 404


def test_staff_of_another_setting_cannot_create_or_list(world, api, term):
    assert create(api, world.other_manager, world.child).status_code == 404
    assert api(world.other_manager).get(f"/children/{world.child.pk}/reports").status_code == 404


def test_uncleared_staff_are_told_what_is_missing(world, api, term):
    rid = create(api, world.key_person, world.child).json()["id"]
    uncleared = f.staff(world.setting_a, cleared=False, name="Una Uncleared")
    answer = api(uncleared).get(f"/reports/{rid}")
    assert answer.status_code == 403 and answer.json()["code"] == "checks_incomplete"
    assert (
        api(uncleared).post(f"/children/{world.child.pk}/reports", {"kind": "final"}).json()["code"]
        == "checks_incomplete"
    )


def test_parent_who_is_also_uncleared_staff_reads_as_a_parent(world, api, term):
    rid = shared_report(world, api)
    f.MembershipFactory(setting=world.setting_a, user=world.parent)
    assert api(world.parent).get(f"/reports/{rid}").status_code == 200
    draft = create(api, world.key_person, world.child, "final").json()["id"]
    assert api(world.parent).get(f"/reports/{draft}").status_code == 404


def test_parent_cannot_comment_before_sharing_or_on_another_childs_report(world, api, term):
    rid = shared_report(world, api)
    other = api(world.other_parent).post(f"/reports/{rid}/parent-comment", {"text": "Mine?"})
    assert other.status_code == 404
    assert Report.objects.get(pk=rid).parent_comment == ""


def test_chosen_photo_with_a_child_without_consent_never_reaches_the_report(world, api, term):
    # other_child's family said no: Yasmin has no image consent.
    world.other_child.refresh_from_db()
    f.parent_of(world.other_child, consent=False, name="Nora No")
    world.other_child.refresh_from_db()
    assert world.other_child.image_consent is False
    _, solo = observe_with_photo(world.key_person, [world.child], "Xander painted.")
    _, group = observe_with_photo(
        world.key_person, [world.child, world.other_child], "Painting together."
    )
    rid = create(api, world.key_person, world.child, "summative", term).json()["id"]
    key = api(world.key_person)
    refused = key.patch(f"/reports/{rid}", {"photo_ids": [str(group.pk)]})
    assert refused.status_code == 422
    assert key.patch(f"/reports/{rid}", {"photo_ids": [str(solo.pk)]}).status_code == 200
    # Even if the id got there some other way, the report never shows it.
    Report.objects.filter(pk=rid).update(photo_ids=[str(solo.pk), str(group.pk)])
    assert key.get(f"/reports/{rid}").json()["photo_ids"] == [str(solo.pk)]

"""R-4 monitoring for session leaders: observations per child and area, who hasn't been
observed, who isn't on track, and cohort charts, in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.eyfs.models import Assessment, Judgement, JudgementScale, Term

# Dates are relative to today: staff clearance and sign-in are recorded "now", so the
# clock can't be moved back, and nothing here depends on a particular calendar date.


def ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def terms(world):
    autumn = Term.objects.create(
        setting=world.setting_a,
        name="Autumn",
        starts_on=ago(200),
        ends_on=ago(100),
    )
    spring = Term.objects.create(
        setting=world.setting_a,
        name="Spring",
        starts_on=ago(90),
        ends_on=ago(-10),
    )
    return autumn, spring


def judge(child, term, **areas):
    assessment, _ = Assessment.objects.get_or_create(
        child=child, term=term, defaults={"framework_id": _framework_id()}
    )
    for area, value in areas.items():
        Judgement.objects.create(assessment=assessment, area=area, value=value)


def _framework_id():
    from acorn.eyfs.selectors import current_framework

    return current_framework().pk


def _monitoring(api, person, setting, **params):
    return api(person).get(f"/settings/{setting.pk}/monitoring", **params)


def test_observations_per_child_and_area_in_the_period(world, api, terms):
    f.observation(
        author=world.key_person,
        children=[world.child, world.other_child],
        areas=["CL", "M"],
        observed_on=ago(14),
    )
    f.observation(author=world.key_person, children=[world.child], areas=["CL"], observed_on=ago(7))
    f.observation(  # before the period
        author=world.key_person, children=[world.child], areas=["PD"], observed_on=ago(60)
    )
    f.observation(  # a draft doesn't count
        author=world.key_person,
        children=[world.child],
        areas=["PD"],
        status="draft",
        observed_on=ago(6),
    )
    response = _monitoring(
        api, world.manager, world.setting_a, since=ago(30).isoformat(), until=ago(0).isoformat()
    )
    assert response.status_code == 200, response.content
    rows = {row["child_id"]: row for row in response.json()["children"]}
    assert set(rows) == {str(world.child.pk), str(world.other_child.pk)}
    xander = rows[str(world.child.pk)]
    assert xander["observations"] == {"total": 2, "by_area": {"CL": 2, "M": 1}}
    assert xander["last_observed_on"] == ago(7).isoformat()
    assert xander["days_since_observed"] == 7
    assert rows[str(world.other_child.pk)]["days_since_observed"] == 14


def test_a_child_never_observed_has_no_last_date(world, api, terms):
    row = _monitoring(api, world.manager, world.setting_a).json()["children"][0]
    assert row["last_observed_on"] is None and row["days_since_observed"] is None
    assert row["observations"] == {"total": 0, "by_area": {}}


def test_on_track_follows_every_areas_latest_judgement(world, api, terms):
    autumn, spring = terms
    judge(world.child, autumn, CL="not_on_track", PD="on_track")
    judge(world.child, spring, CL="on_track")  # CL caught up; PD's latest is still autumn's
    judge(world.other_child, autumn, CL="on_track")
    judge(world.other_child, spring, PSED="at_risk")  # at risk doesn't count as on track
    rows = {
        r["child_id"]: r["on_track"]
        for r in _monitoring(api, world.manager, world.setting_a).json()["children"]
    }
    assert rows == {str(world.child.pk): True, str(world.other_child.pk): False}


def test_on_track_is_null_when_nothing_is_judged_and_follows_the_settings_scale(world, api, terms):
    autumn, _ = terms
    rows = _monitoring(api, world.manager, world.setting_a).json()["children"]
    assert {r["on_track"] for r in rows} == {None}
    JudgementScale.objects.create(
        setting=world.setting_a,
        levels=[
            {"value": "emerging", "label": "Emerging", "on_track": False},
            {"value": "developing", "label": "Developing", "on_track": True},
        ],
    )
    judge(world.child, autumn, CL="developing", M="developing")
    judge(world.other_child, autumn, CL="emerging")
    rows = {
        r["child_id"]: r["on_track"]
        for r in _monitoring(api, world.manager, world.setting_a).json()["children"]
    }
    assert rows == {str(world.child.pk): True, str(world.other_child.pk): False}


def test_monitoring_is_for_session_leaders_of_the_setting(world, api, terms):
    response = _monitoring(api, world.key_person, world.setting_a)
    assert response.status_code == 403
    for outsider in (world.parent, world.other_parent, world.other_manager):
        assert _monitoring(api, outsider, world.setting_a).status_code == 404
    uncleared = f.staff(world.setting_a, "deputy", cleared=False)
    response = _monitoring(api, uncleared, world.setting_a)
    assert response.status_code == 403 and response.json()["code"] == "checks_incomplete"
    assert _monitoring(api, world.other_manager, world.setting_b).status_code == 200


def test_monitoring_page_shows_quiet_children_not_on_track_and_cohort_charts(world, web, terms):
    autumn, _ = terms
    Child.objects.filter(pk=world.child.pk).update(send_stage="sen_support", eal=True, sex="male")
    judge(world.child, autumn, CL="not_on_track")
    f.observation(
        author=world.key_person, children=[world.other_child], areas=["M"], observed_on=ago(0)
    )
    page = web(world.manager).get("/monitoring/", {"quiet": 10}).content.decode()
    assert "Not observed for 10 days or more" in page
    quiet = page.split('id="quiet-title"')[1].split("</section>")[0]
    assert "Xander Young" in quiet and "never observed" in quiet
    assert "Yasmin Zed" not in quiet
    off = page.split('id="off-title"')[1].split("</section>")[0]
    assert "Xander Young" in off and "CL" in off and "SEN support" in off
    assert page.count("<svg") >= 6
    assert "By SEND" in page and "By sex" in page and "By funding" in page
    assert "SEN support: 0 on track, 1 not on track, 0 not judged" in page


def test_monitoring_page_is_for_session_leaders(world, web, terms):
    assert web(world.key_person).get("/monitoring/").status_code == 403
    assert web(world.parent).get("/monitoring/").status_code == 403
    page = web(world.other_manager).get("/monitoring/").content.decode()
    assert "Xander" not in page and "Zoe Far" in page


def test_chart_labels_are_escaped(db):
    from acorn.eyfs.charts import Group, cohort_chart

    svg = cohort_chart("By <room>", [Group("<script>", on_track=1)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def _many_children(world, count):
    """`count` children bulk-created, a third judged, each observed once."""
    from acorn.journal.models import Observation, ObservationChild

    autumn = Term.objects.get(setting=world.setting_a, name="Autumn")
    existing = Child.objects.filter(setting=world.setting_a).count()
    children = Child.objects.bulk_create(
        Child(
            setting=world.setting_a,
            first_name=f"Child{n}",
            last_name="Many",
            date_of_birth=date(2022, 1, 1) + timedelta(days=n),
            start_date=date(2025, 9, 1),
            key_person=world.key_person,
            sex=("female", "male", "")[n % 3],
            send_stage=("none", "sen_support", "ehc_plan")[n % 3],
            eal=n % 4 == 0,
            funded_entitlement=("none", "15h", "30h")[n % 3],
            eypp=n % 5 == 0,
        )
        for n in range(count - existing)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(child=c, term=autumn, framework_id=_framework_id()) for c in children[::3]
    )
    Judgement.objects.bulk_create(
        Judgement(assessment=a, area=area, value=value)
        for a in assessments
        for area, value in (("CL", "on_track"), ("PD", "at_risk"))
    )
    now = f.timezone.now()
    entry = Observation.objects.create(
        setting=world.setting_a,
        author=world.key_person,
        text="Everyone at the picnic.",
        observed_on=ago(14),
        areas=["PSED", "UW"],
        status="published",
        created_at=now,
        updated_at=now,
        published_at=now,
    )
    ObservationChild.objects.bulk_create(
        ObservationChild(observation=entry, child=c, observed_on=entry.observed_on, created_at=now)
        for c in children
    )


def _count(get, path):
    with CaptureQueriesContext(connection) as queries:
        response = get(path)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("kind", ["api", "page"])
def test_monitoring_query_count_is_the_same_at_60_and_600_children(world, api, web, terms, kind):
    if kind == "api":
        client = api(world.manager).client
        headers = api(world.manager)._headers()
        path = f"/api/v1/settings/{world.setting_a.pk}/monitoring"

        def get(p):
            return client.get(p, **headers)
    else:
        client = web(world.manager)
        path = "/monitoring/"
        get = client.get

    _count(get, path)  # the manager's clearance is cached from the first request on
    _many_children(world, 60)
    at_60, response = _count(get, path)
    if kind == "api":
        assert len(response.json()["children"]) == 60
    _many_children(world, 600)
    at_600, response = _count(get, path)
    if kind == "api":
        body = response.json()["children"]
        assert len(body) == 600
        assert sum(1 for r in body if r["on_track"] is False) == 200
    print(f"monitoring {kind}: {at_60} queries at 60 children, {at_600} at 600")
    assert at_60 == at_600
    assert at_600 <= 20

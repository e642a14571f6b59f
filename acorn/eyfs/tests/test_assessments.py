"""Assessment: judgements per child and term (API and the key person's grid)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.eyfs.models import Judgement, JudgementScale, Term


@pytest.fixture
def term(world):
    """The term we're in (the grid opens on it)."""
    today = timezone.localdate()
    return Term.objects.create(
        setting=world.setting_a,
        name="This term",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=30),
    )


class Put:
    """PUT with the API client's token (the shared client has no put())."""

    def __init__(self, api, person):
        self.client = api(person)

    def __call__(self, child, term, judgements):
        return self.client.client.put(
            f"/api/v1/children/{child.pk}/assessments/{term.pk}",
            {"judgements": judgements},
            content_type="application/json",
            **self.client._headers(),
        )


JUDGEMENTS = [
    {"area": "CL", "judgement": "on_track"},
    {"area": "PSED", "judgement": "at_risk", "note": "Finds sharing hard."},
    {"area": "PD", "aspect": "PD-FM", "judgement": "not_on_track"},
]


def test_staff_record_and_read_a_childs_judgements_for_a_term(world, api, term):
    response = Put(api, world.key_person)(world.child, term, JUDGEMENTS)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["term_id"] == str(term.pk)
    assert {(j["area"], j["aspect"], j["judgement"]) for j in body["judgements"]} == {
        ("CL", None, "on_track"),
        ("PSED", None, "at_risk"),
        ("PD", "PD-FM", "not_on_track"),
    }
    listed = api(world.manager).get(f"/children/{world.child.pk}/assessments").json()
    assert [a["term_id"] for a in listed["items"]] == [str(term.pk)]
    assert len(listed["items"][0]["judgements"]) == 3
    event = AuditEvent.objects.get(action="assessment.save", child_id=world.child.pk)
    assert event.actor_id == world.key_person.pk


def test_put_replaces_the_terms_judgements(world, api, term):
    put = Put(api, world.key_person)
    put(world.child, term, JUDGEMENTS)
    response = put(world.child, term, [{"area": "M", "judgement": "on_track"}])
    assert response.status_code == 200
    assert [j["area"] for j in response.json()["judgements"]] == ["M"]
    assert Judgement.objects.count() == 1


def test_judgement_must_be_on_the_settings_scale(world, api, term):
    put = Put(api, world.key_person)
    response = put(world.child, term, [{"area": "CL", "judgement": "secure"}])
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    JudgementScale.objects.create(
        setting=world.setting_a,
        levels=[
            {"value": "developing", "label": "Developing", "on_track": False},
            {"value": "secure", "label": "Secure", "on_track": True},
        ],
    )
    assert put(world.child, term, [{"area": "CL", "judgement": "secure"}]).status_code == 200
    assert put(world.child, term, [{"area": "CL", "judgement": "on_track"}]).status_code == 422


def test_unknown_area_or_mismatched_aspect_is_refused(world, api, term):
    put = Put(api, world.key_person)
    assert put(world.child, term, [{"area": "XX", "judgement": "on_track"}]).status_code == 422
    response = put(world.child, term, [{"area": "CL", "aspect": "M-N", "judgement": "on_track"}])
    assert response.status_code == 422
    twice = [{"area": "CL", "judgement": "on_track"}, {"area": "CL", "judgement": "at_risk"}]
    assert put(world.child, term, twice).status_code == 422
    assert not Judgement.objects.exists()


def test_parents_and_other_settings_get_404(world, api, term):
    Put(api, world.key_person)(world.child, term, JUDGEMENTS)
    path = f"/children/{world.child.pk}/assessments"
    for outsider in (world.parent, world.other_parent, world.other_manager):
        assert api(outsider).get(path).status_code == 404
        assert Put(api, outsider)(world.child, term, JUDGEMENTS).status_code == 404
    assert Judgement.objects.count() == 3


def test_uncleared_staff_are_told_what_is_missing(world, api, term):
    newcomer = f.staff(world.setting_a, cleared=False)
    response = api(newcomer).get(f"/children/{world.child.pk}/assessments")
    assert response.status_code == 403 and response.json()["code"] == "checks_incomplete"
    response = Put(api, newcomer)(world.child, term, JUDGEMENTS)
    assert response.status_code == 403
    assert not Judgement.objects.exists()


def test_another_settings_term_is_not_found(world, api, term):
    far_term = Term.objects.create(
        setting=world.setting_b, name="B", starts_on=date(2025, 9, 1), ends_on=date(2025, 12, 1)
    )
    response = Put(api, world.key_person)(world.child, far_term, JUDGEMENTS)
    assert response.status_code == 404


def test_staff_of_two_settings_assess_each_by_its_own_scale(world, api, term):
    """Someone on the staff of both settings: each child is judged on its setting's scale."""
    both = f.staff(world.setting_a)
    f.MembershipFactory(user=both, setting=world.setting_b)
    f.clear(both, world.setting_b)
    JudgementScale.objects.create(
        setting=world.setting_b,
        levels=[
            {"value": "yes", "label": "Yes", "on_track": True},
            {"value": "no", "label": "No", "on_track": False},
        ],
    )
    far_term = Term.objects.create(
        setting=world.setting_b, name="B", starts_on=date(2025, 9, 1), ends_on=date(2025, 12, 1)
    )
    put = Put(api, both)
    assert put(world.far_child, far_term, [{"area": "CL", "judgement": "yes"}]).status_code == 200
    assert put(world.child, term, [{"area": "CL", "judgement": "yes"}]).status_code == 422
    assert put(world.child, term, [{"area": "CL", "judgement": "on_track"}]).status_code == 200


# --- the key person's grid -----------------------------------------------------------


def test_grid_lists_the_key_persons_children_by_area(world, web, term):
    someone_elses = f.ChildFactory(setting=world.setting_a, first_name="Quentin")
    page = web(world.key_person).get("/assessment/").content.decode()
    assert "This term" in page
    assert "Xander Young" in page and "Yasmin Zed" in page
    assert "Quentin" not in page
    assert f'name="cell:{world.child.pk}:CL:"' in page
    aspects = web(world.key_person).get("/assessment/", {"by": "aspect"}).content.decode()
    assert f'name="cell:{world.child.pk}:CL:CL-S"' in aspects
    leader = web(world.manager).get("/assessment/", {"show": "all"}).content.decode()
    assert someone_elses.full_name in leader


def test_one_cell_saves_without_a_page_load(world, web, term):
    client = web(world.key_person)
    response = client.post(
        "/assessment/",
        {"term": str(term.pk), f"cell:{world.child.pk}:PD:": "at_risk"},
        headers={"X-Acorn-Cell": "1"},
    )
    assert response.status_code == 200 and response.json() == {"saved": True}
    judgement = Judgement.objects.get()
    assert (judgement.area, judgement.aspect, judgement.value) == ("PD", "", "at_risk")
    assert AuditEvent.objects.filter(action="assessment.save", child_id=world.child.pk).exists()
    response = client.post(
        "/assessment/",
        {"term": str(term.pk), f"cell:{world.child.pk}:PD:": "brilliant"},
        headers={"X-Acorn-Cell": "1"},
    )
    assert response.status_code == 422 and response.json()["saved"] is False
    client.post(
        "/assessment/",
        {"term": str(term.pk), f"cell:{world.child.pk}:PD:": ""},
        headers={"X-Acorn-Cell": "1"},
    )
    assert not Judgement.objects.exists()


def test_whole_grid_saves_without_script_and_only_changed_cells_are_written(world, web, term):
    client = web(world.key_person)
    data = {"term": str(term.pk)}
    for child in (world.child, world.other_child):
        for area in ("CL", "PSED", "PD", "L", "M", "UW", "EAD"):
            data[f"cell:{child.pk}:{area}:"] = ""
    data[f"cell:{world.child.pk}:CL:"] = "on_track"
    data[f"cell:{world.other_child.pk}:M:"] = "not_on_track"
    response = client.post("/assessment/", data)
    assert response.status_code == 302
    assert Judgement.objects.count() == 2
    assert AuditEvent.objects.filter(action__startswith="assessment.").count() == 2
    page = client.get(response.url).content.decode()
    assert 'value="on_track" selected' in page


def test_grid_refuses_children_who_arent_on_it(world, web, term):
    response = web(world.key_person).post(
        "/assessment/",
        {"term": str(term.pk), f"cell:{world.far_child.pk}:CL:": "on_track"},
        headers={"X-Acorn-Cell": "1"},
    )
    assert response.status_code == 404
    assert not Judgement.objects.exists()


def test_grid_cells_show_the_terms_observations_in_that_area(world, web, term):
    in_term = f.observation(
        author=world.key_person,
        children=[world.child],
        text="Counted ten conkers.",
        areas=["M"],
        observed_on=term.starts_on + timedelta(days=1),
    )
    f.observation(
        author=world.key_person,
        children=[world.child],
        text="Counted last summer.",
        areas=["M"],
        observed_on=term.starts_on - timedelta(days=1),
    )
    f.observation(
        author=world.key_person,
        children=[world.child],
        text="A draft about counting.",
        areas=["M"],
        status="draft",
        observed_on=term.starts_on + timedelta(days=2),
    )
    f.observation(
        author=world.key_person,
        children=[world.child],
        text="Told a story.",
        aspects=["CL-S"],
        observed_on=term.starts_on + timedelta(days=3),
    )
    page = web(world.key_person).get("/assessment/").content.decode()
    assert f"/observations/{in_term.pk}/" in page
    assert "Counted ten conkers." in page and "Told a story." in page
    assert "Counted last summer." not in page
    assert "A draft about counting." not in page


def test_grid_is_for_cleared_staff(world, web, term):
    assert web(world.parent).get("/assessment/").status_code == 403
    newcomer = f.staff(world.setting_a, cleared=False)
    assert web(newcomer).get("/assessment/").status_code == 403
    page = web(world.other_manager).get("/assessment/").content.decode()
    assert "Xander" not in page

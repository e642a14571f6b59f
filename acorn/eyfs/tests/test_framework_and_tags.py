"""R-1: the EYFS as data, and observations tagged with aspects and characteristics."""

from datetime import date

from acorn.eyfs.models import Area, Aspect, Characteristic, Framework
from acorn.journal.models import AREAS_OF_LEARNING, Observation


def test_eyfs_lists_seven_areas_seventeen_goals_and_three_characteristics(world, api):
    response = api(world.key_person).get("/eyfs")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "2024"
    areas = {a["code"]: a for a in body["areas"]}
    assert list(areas) == ["CL", "PSED", "PD", "L", "M", "UW", "EAD"]
    assert {code for code, a in areas.items() if a["prime"]} == {"CL", "PSED", "PD"}
    assert [s["name"] for s in areas["PSED"]["aspects"]] == [
        "Self-Regulation",
        "Managing Self",
        "Building Relationships",
    ]
    goals = body["early_learning_goals"]
    assert len(goals) == 17
    assert {"code": "CL-S", "area": "CL", "name": "Speaking"} in goals
    assert {g["code"] for g in goals} == {s["code"] for a in body["areas"] for s in a["aspects"]}
    assert [c["code"] for c in body["characteristics"]] == [
        "playing_and_exploring",
        "active_learning",
        "creating_and_thinking_critically",
    ]
    bands = {(b["guidance"], b["code"]): b for b in body["age_bands"]}
    assert bands[("development_matters", "birth_to_three")]["to_months"] == 36
    assert len([b for b in body["age_bands"] if b["guidance"] == "birth_to_5_matters"]) == 6


def test_parents_can_read_the_framework_but_not_without_signing_in(world, api):
    assert api(world.parent).get("/eyfs").status_code == 200
    assert api().get("/eyfs").status_code == 401


def test_journal_area_codes_are_the_frameworks_area_codes(db):
    framework = Framework.objects.get(is_current=True)
    stored = dict(Area.objects.filter(framework=framework).values_list("code", "name"))
    assert stored == AREAS_OF_LEARNING


def test_framework_comes_back_if_its_rows_were_flushed(db):
    from acorn.eyfs import selectors

    Framework.objects.all().delete()
    selectors._CODES.clear()
    framework = selectors.current_framework()
    assert framework.version == "2024" and framework.is_current
    assert Aspect.objects.filter(area__framework=framework).count() == 17
    assert Characteristic.objects.filter(framework=framework).count() == 3


def test_loading_the_framework_again_adds_nothing(db):
    from django.apps import apps

    from acorn.eyfs import framework_2024
    from acorn.eyfs.loading import framework_load

    framework_load(apps.get_model, framework_2024)
    assert Framework.objects.count() == 1
    assert Area.objects.count() == 7 and Aspect.objects.count() == 17


def _new_observation(world, **extra):
    return {
        "children": [str(world.child.pk)],
        "text": "Xander told me a long story about his dog.",
        "observed_on": date.today().isoformat(),
        "publish": True,
        **extra,
    }


def test_observation_takes_aspects_and_characteristics_and_an_aspect_brings_its_area(world, api):
    response = api(world.key_person).post(
        "/observations",
        _new_observation(
            world, areas=["PD"], aspects=["CL-S"], characteristics=["active_learning"]
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["aspects"] == ["CL-S"]
    assert body["characteristics"] == ["active_learning"]
    assert body["areas"] == ["PD", "CL"]
    stored = Observation.objects.get(pk=body["id"])
    assert stored.aspects == ["CL-S"] and stored.areas == ["PD", "CL"]


def test_unknown_aspect_or_characteristic_is_refused(world, api):
    client = api(world.key_person)
    response = client.post("/observations", _new_observation(world, aspects=["CL-XX"]))
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    response = client.post("/observations", _new_observation(world, characteristics=["luck"]))
    assert response.status_code == 422
    assert not Observation.objects.filter(text__startswith="Xander told").exists()


def test_editing_an_observation_follows_the_same_tag_rules(world, api):
    client = api(world.key_person)
    created = client.post("/observations", _new_observation(world)).json()
    path = f"/observations/{created['id']}"
    response = client.patch(
        path, {"aspects": ["M-N"], "characteristics": ["playing_and_exploring"]}
    )
    assert response.status_code == 200
    assert response.json()["aspects"] == ["M-N"]
    assert "M" in response.json()["areas"]
    assert client.patch(path, {"aspects": ["nope"]}).status_code == 422
    assert Observation.objects.get(pk=created["id"]).aspects == ["M-N"]


def test_entry_page_shows_aspect_and_characteristic_names(world, api, web):
    created = (
        api(world.key_person)
        .post(
            "/observations",
            _new_observation(world, aspects=["PSED-BR"], characteristics=["active_learning"]),
        )
        .json()
    )
    for person in (world.key_person, world.parent):
        page = web(person).get(f"/observations/{created['id']}/").content.decode()
        assert "Building Relationships" in page
        assert "Active learning" in page


def test_edit_page_saves_aspects_and_characteristics(world, web):
    from acorn.core.tests.factories import observation

    entry = observation(author=world.key_person, children=[world.child], areas=["CL"])
    response = web(world.key_person).post(
        f"/observations/{entry.pk}/edit",
        {
            "text": "Built a tower.",
            "observed_on": entry.observed_on.isoformat(),
            "areas": ["CL"],
            "aspects": ["PD-FM"],
            "characteristics": ["creating_and_thinking_critically"],
            "next_steps": "",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.aspects == ["PD-FM"]
    assert entry.characteristics == ["creating_and_thinking_critically"]
    assert entry.areas == ["CL", "PD"]

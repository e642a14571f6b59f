"""R-3 terms and the judgement scale, per setting."""

from datetime import date

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.eyfs.models import Term


def _term(name="Autumn 2026", starts_on="2026-09-01", ends_on="2026-12-18"):
    return {"name": name, "starts_on": starts_on, "ends_on": ends_on}


def test_session_leader_adds_a_term_and_staff_list_them(world, api):
    response = api(world.manager).post(f"/settings/{world.setting_a.pk}/terms", _term())
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Autumn 2026"
    assert AuditEvent.objects.filter(action="term.create").exists()
    listed = api(world.key_person).get(f"/settings/{world.setting_a.pk}/terms").json()
    assert [(t["name"], t["starts_on"], t["ends_on"]) for t in listed["items"]] == [
        ("Autumn 2026", "2026-09-01", "2026-12-18")
    ]


def test_overlapping_term_is_refused_with_422(world, api):
    client = api(world.manager)
    path = f"/settings/{world.setting_a.pk}/terms"
    assert client.post(path, _term()).status_code == 201
    for starts_on, ends_on in (("2026-12-18", "2027-01-10"), ("2026-08-01", "2026-09-01")):
        response = client.post(path, _term("Clash", starts_on, ends_on))
        assert response.status_code == 422
        assert response.json()["code"] == "invalid"
        assert "overlap" in response.json()["detail"]
    assert client.post(path, _term("Spring 2027", "2027-01-04", "2027-03-31")).status_code == 201
    assert client.post(path, _term("Backwards", "2027-05-01", "2027-04-01")).status_code == 422


def test_terms_are_per_setting(world, api):
    api(world.manager).post(f"/settings/{world.setting_a.pk}/terms", _term())
    # The same dates in another setting don't overlap anything there.
    response = api(world.other_manager).post(f"/settings/{world.setting_b.pk}/terms", _term())
    assert response.status_code == 201
    assert (
        len(api(world.other_manager).get(f"/settings/{world.setting_b.pk}/terms").json()["items"])
        == 1
    )


def test_terms_three_people(world, api):
    path = f"/settings/{world.setting_a.pk}/terms"
    assert api(world.key_person).post(path, _term()).status_code == 403
    for outsider in (world.parent, world.other_parent, world.other_manager):
        assert api(outsider).get(path).status_code == 404
        assert api(outsider).post(path, _term()).status_code == 404
    newcomer = f.staff(world.setting_a, cleared=False)
    response = api(newcomer).get(path)
    assert response.status_code == 403 and response.json()["code"] == "checks_incomplete"
    assert not Term.objects.exists()


def test_default_judgement_scale_and_replacing_it(world, api):
    path = f"/settings/{world.setting_a.pk}/judgement-scale"
    default = api(world.key_person).get(path).json()
    assert [level["value"] for level in default] == ["on_track", "at_risk", "not_on_track"]
    assert [level["on_track"] for level in default] == [True, False, False]
    scale = [
        {"value": "emerging", "label": "Emerging", "on_track": False},
        {"value": "developing", "label": "Developing", "on_track": True},
        {"value": "secure", "label": "Secure", "on_track": True},
    ]
    response = api(world.manager).patch(
        f"/settings/{world.setting_a.pk}", {"judgement_scale": scale}
    )
    assert response.status_code == 200, response.content
    assert api(world.key_person).get(path).json() == scale
    assert AuditEvent.objects.filter(action="setting.judgement_scale").exists()
    # Another setting keeps the default.
    other = api(world.other_manager).get(f"/settings/{world.setting_b.pk}/judgement-scale")
    assert other.json()[0]["value"] == "on_track"


def test_judgement_scale_must_make_sense(world, api):
    path = f"/settings/{world.setting_a.pk}"
    client = api(world.manager)
    nothing_on_track = [
        {"value": "a", "label": "A", "on_track": False},
        {"value": "b", "label": "B", "on_track": False},
    ]
    twice = [
        {"value": "a", "label": "A", "on_track": True},
        {"value": "a", "label": "Again", "on_track": False},
    ]
    for scale in (nothing_on_track, twice, [{"value": "a", "label": "A", "on_track": True}]):
        response = client.patch(path, {"judgement_scale": scale})
        assert response.status_code == 422, scale
    assert client.patch(path, {"judgement_scale": twice[:1] * 0}).status_code == 422


def test_only_leaders_replace_the_scale(world, api):
    scale = [
        {"value": "yes", "label": "Yes", "on_track": True},
        {"value": "no", "label": "No", "on_track": False},
    ]
    path = f"/settings/{world.setting_a.pk}"
    assert api(world.key_person).patch(path, {"judgement_scale": scale}).status_code == 403
    assert api(world.other_manager).patch(path, {"judgement_scale": scale}).status_code == 404
    assert api(world.parent).patch(path, {"judgement_scale": scale}).status_code == 404


def test_terms_page_adds_and_deletes_terms(world, web):
    client = web(world.manager)
    response = client.post(
        "/terms/", {"name": "Summer 2027", "starts_on": "2027-04-19", "ends_on": "2027-07-21"}
    )
    assert response.status_code == 302
    term = Term.objects.get(setting=world.setting_a)
    page = client.get("/terms/").content.decode()
    assert "Summer 2027" in page and "On track" in page
    response = client.post(
        "/terms/", {"name": "Clash", "starts_on": "2027-07-01", "ends_on": "2027-08-01"}
    )
    assert response.status_code == 200 and "overlap" in response.content.decode()
    assert client.post(f"/terms/{term.pk}/delete").status_code == 302
    assert not Term.objects.exists()


def test_terms_page_is_for_session_leaders_of_that_setting(world, web):
    Term.objects.create(
        setting=world.setting_a,
        name="Hedgehog term",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 18),
    )
    assert web(world.key_person).get("/terms/").status_code == 403
    assert web(world.parent).get("/terms/").status_code == 403
    page = web(world.other_manager).get("/terms/").content.decode()
    assert "Hedgehog term" not in page
    term = Term.objects.get()
    assert web(world.other_manager).post(f"/terms/{term.pk}/delete").status_code == 404
    assert Term.objects.exists()

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from acorn.core.tests import factories as f
from acorn.journal.models import Observation


def _obs(world, **extra):
    return {
        "children": [str(world.child.pk)],
        "text": "Xander stacked five cups.",
        "observed_on": date.today().isoformat(),
        "areas": ["M", "PD"],
        "publish": True,
        **extra,
    }


def test_staff_publish_an_observation_for_two_children(world, api):
    response = api(world.key_person).post(
        "/observations", _obs(world, children=[str(world.child.pk), str(world.other_child.pk)])
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "published"
    assert set(body["children"]) == {str(world.child.pk), str(world.other_child.pk)}
    for child in (world.child, world.other_child):
        items = api(world.manager).get(f"/children/{child.pk}/journal").json()["items"]
        assert [i["id"] for i in items] == [body["id"]]


def test_staff_draft_is_visible_only_to_its_author(world, api):
    oid = api(world.key_person).post("/observations", _obs(world, publish=False)).json()["id"]
    assert api(world.key_person).get(f"/observations/{oid}").json()["status"] == "draft"
    assert api(world.manager).get(f"/observations/{oid}").status_code == 404
    assert api(world.parent).get(f"/observations/{oid}").status_code == 404
    assert api(world.parent).get(f"/children/{world.child.pk}/journal").json()["items"] == []


def test_parent_contribution_is_pending_and_private(world, api):
    response = api(world.parent).post("/observations", _obs(world, text="Xander baked a cake."))
    assert response.status_code == 201
    oid = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert api(world.parent).get(f"/observations/{oid}").status_code == 200
    assert api(world.key_person).get(f"/observations/{oid}").status_code == 200
    assert api(world.other_parent).get(f"/observations/{oid}").status_code == 404
    assert api(world.other_manager).get(f"/observations/{oid}").status_code == 404


def test_parent_cannot_write_about_another_child(world, api):
    response = api(world.parent).post(
        "/observations", _obs(world, children=[str(world.other_child.pk)])
    )
    assert response.status_code == 422
    assert Observation.objects.count() == 0


def test_staff_cannot_write_about_another_settings_child(world, api):
    response = api(world.other_manager).post("/observations", _obs(world))
    assert response.status_code == 422
    response = api(world.manager).post(
        "/observations", _obs(world, children=[str(world.child.pk), str(world.far_child.pk)])
    )
    assert response.status_code == 422
    assert Observation.objects.count() == 0


def test_bad_observation_input_is_refused_clearly(world, api):
    client = api(world.key_person)
    assert client.post("/observations", _obs(world, text="  ")).status_code == 422
    assert client.post("/observations", _obs(world, areas=["XX"])).status_code == 422
    future = (date.today() + timedelta(days=3)).isoformat()
    response = client.post("/observations", _obs(world, observed_on=future))
    assert response.status_code == 422 and "future" in response.json()["detail"]
    assert client.post("/observations", _obs(world, children=[])).status_code == 422
    assert Observation.objects.count() == 0


def test_journal_three_people(world, api):
    f.observation(author=world.key_person, children=[world.child], text="Painted a sun.")
    path = f"/children/{world.child.pk}/journal"
    items = api(world.parent).get(path).json()["items"]
    assert [i["text"] for i in items] == ["Painted a sun."]
    assert set(items[0]) >= {
        "id",
        "children",
        "text",
        "observed_on",
        "areas",
        "media",
        "status",
        "author_id",
    }
    assert api(world.other_parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404
    oid = items[0]["id"]
    assert api(world.other_parent).get(f"/observations/{oid}").status_code == 404
    assert api(world.other_manager).get(f"/observations/{oid}").status_code == 404


def test_journal_is_newest_first(world, api):
    today = date.today()
    for days, text in [(3, "old"), (0, "newest"), (1, "middle")]:
        f.observation(
            author=world.key_person,
            children=[world.child],
            text=text,
            observed_on=today - timedelta(days=days),
        )
    items = api(world.parent).get(f"/children/{world.child.pk}/journal").json()["items"]
    assert [i["text"] for i in items] == ["newest", "middle", "old"]


def test_group_entry_names_only_the_parents_own_child(world, api):
    obs = f.observation(author=world.key_person, children=[world.child, world.other_child])
    body = api(world.parent).get(f"/observations/{obs.pk}").json()
    assert body["children"] == [str(world.child.pk)]
    staff_body = api(world.manager).get(f"/observations/{obs.pk}").json()
    assert len(staff_body["children"]) == 2


def test_journal_query_count_does_not_grow_with_entries(world, api):
    client = api(world.parent)
    path = f"/children/{world.child.pk}/journal"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    f.observation(author=world.key_person, children=[world.child])
    few = count()
    for _ in range(15):
        f.observation(author=world.key_person, children=[world.child, world.other_child])
    assert count() == few


def test_journal_pages_do_not_shift_when_entries_are_added(world, api):
    for _ in range(60):
        f.observation(author=world.key_person, children=[world.child])
    client = api(world.parent)
    path = f"/children/{world.child.pk}/journal"
    first = client.get(path).json()
    assert len(first["items"]) == 50 and first["next"]
    # Something new is published while the tablet is paging.
    f.observation(author=world.key_person, children=[world.child], text="Brand new")
    second = client.get(path, cursor=first["next"]).json()
    seen = [i["id"] for i in first["items"]] + [i["id"] for i in second["items"]]
    assert len(second["items"]) == 10 and second["next"] is None
    assert len(set(seen)) == 60
    assert "Brand new" not in {i["text"] for i in second["items"]}
    assert client.get(path, cursor="eyJhZnRlciI6IFsxXX0=").status_code == 400

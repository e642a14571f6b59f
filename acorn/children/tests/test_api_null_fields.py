"""PATCH /children/{cid} with null for a field every child has (found by schemathesis):
the JSON error of API.md, never a 500."""


def test_clearing_a_childs_date_of_birth_is_refused_not_a_crash(world, api):
    client = api(world.manager)
    response = client.patch(f"/children/{world.child.pk}", {"date_of_birth": None})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    world.child.refresh_from_db()
    assert world.child.date_of_birth is not None


def test_a_childs_name_cannot_be_emptied_with_null(world, api):
    response = api(world.manager).patch(f"/children/{world.child.pk}", {"first_name": None})
    assert response.status_code == 422

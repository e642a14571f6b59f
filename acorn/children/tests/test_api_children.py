from acorn.audit.models import AuditEvent
from acorn.children.models import Child, ParentLink


def _new_child(world, **extra):
    return {
        "first_name": "Nia",
        "last_name": "North",
        "date_of_birth": "2023-05-04",
        "start_date": "2025-09-01",
        "key_person_id": str(world.key_person.pk),
        **extra,
    }


def test_session_leader_adds_a_child(world, api):
    response = api(world.manager).post(
        f"/settings/{world.setting_a.pk}/children", _new_child(world)
    )
    assert response.status_code == 201
    body = response.json()
    assert body["first_name"] == "Nia" and body["status"] == "active"
    assert body["key_person_id"] == str(world.key_person.pk)
    child = Child.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(action="child.create", child_id=child.pk).exists()


def test_practitioner_cannot_add_a_child(world, api):
    response = api(world.key_person).post(
        f"/settings/{world.setting_a.pk}/children", _new_child(world)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_other_settings_staff_and_parents_get_404_for_adding(world, api):
    for person in (world.other_manager, world.parent):
        response = api(person).post(f"/settings/{world.setting_a.pk}/children", _new_child(world))
        assert response.status_code == 404


def test_key_person_must_be_staff_of_the_setting(world, api):
    response = api(world.manager).post(
        f"/settings/{world.setting_a.pk}/children",
        _new_child(world, key_person_id=str(world.other_manager.pk)),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    response = api(world.manager).post(
        f"/settings/{world.setting_a.pk}/children", _new_child(world, start_date="2020-01-01")
    )
    assert response.status_code == 422


def test_children_list_by_viewer(world, api):
    ids = lambda person: {c["id"] for c in api(person).get("/children").json()["items"]}  # noqa: E731
    assert ids(world.manager) == {str(world.child.pk), str(world.other_child.pk)}
    assert ids(world.parent) == {str(world.child.pk)}
    assert ids(world.other_parent) == {str(world.other_child.pk)}
    assert ids(world.other_manager) == {str(world.far_child.pk)}


def test_children_list_pages_with_a_cursor(world, api):
    from acorn.core.tests.factories import ChildFactory

    for _ in range(55):
        ChildFactory(setting=world.setting_a, key_person=world.key_person)
    client = api(world.manager)
    first = client.get("/children").json()
    assert len(first["items"]) == 50 and first["next"]
    second = client.get("/children", cursor=first["next"]).json()
    assert len(second["items"]) == 7 and second["next"] is None
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}
    assert client.get("/children", cursor="!!nonsense").status_code == 400


def test_child_detail_three_people(world, api):
    path = f"/children/{world.child.pk}"
    body = api(world.parent).get(path).json()
    assert body["first_name"] == "Xander"
    assert body["key_person_id"] == str(world.key_person.pk)
    assert set(body) >= {
        "id",
        "first_name",
        "last_name",
        "date_of_birth",
        "key_person_id",
        "status",
    }
    assert api(world.other_parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404
    assert api(world.manager).get("/children/not-a-uuid").status_code == 404


def test_patch_child_changes_key_person(world, api):
    from acorn.core.tests.factories import staff

    new_key = staff(world.setting_a)
    path = f"/children/{world.child.pk}"
    response = api(world.manager).patch(path, {"key_person_id": str(new_key.pk)})
    assert response.status_code == 200
    assert response.json()["key_person_id"] == str(new_key.pk)
    assert (
        api(world.manager).patch(path, {"key_person_id": str(world.far_parent.pk)}).status_code
        == 422
    )


def test_patch_child_refused_for_others(world, api):
    path = f"/children/{world.child.pk}"
    assert api(world.key_person).patch(path, {"first_name": "X"}).status_code == 403
    assert api(world.parent).patch(path, {"first_name": "X"}).status_code == 403
    assert api(world.other_parent).patch(path, {"first_name": "X"}).status_code == 404
    assert api(world.other_manager).patch(path, {"first_name": "X"}).status_code == 404
    assert Child.objects.get(pk=world.child.pk).first_name == "Xander"


def test_invite_parent_and_parent_sees_only_their_child(
    world, api, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.key_person).post(
            f"/children/{world.child.pk}/parents", {"email": "second@a.test", "name": "Sam Second"}
        )
    assert response.status_code == 201
    token = mailoutbox[0].body.split("/invite/")[1].split()[0]
    assert "Xander" not in mailoutbox[0].body  # no child data in email
    assert (
        api()
        .post(
            f"/invitations/{token}/accept", {"name": "Sam Second", "password": "second-parent-pass"}
        )
        .status_code
        == 201
    )
    assert ParentLink.objects.filter(parent__email="second@a.test", child=world.child).exists()


def test_invite_parent_refused_for_others(world, api):
    body = {"email": "x@a.test", "name": "X"}
    path = f"/children/{world.child.pk}/parents"
    assert api(world.parent).post(path, body).status_code == 403
    assert api(world.other_parent).post(path, body).status_code == 404
    assert api(world.other_manager).post(path, body).status_code == 404
    assert api(world.manager).post(path, body).status_code == 201


def test_staff_list_and_invite_three_people(world, api):
    path = f"/settings/{world.setting_a.pk}/staff"
    body = api(world.manager).get(path).json()
    assert {s["email"] for s in body["items"]} == {"manager@a.test", "key@a.test"}
    assert set(body["items"][0]) == {"id", "name", "email", "role", "cleared", "missing"}
    assert api(world.key_person).get(path).status_code == 403
    assert api(world.parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404
    assert (
        api(world.other_manager)
        .post(path, {"email": "a@a.test", "name": "A", "role": "practitioner"})
        .status_code
        == 404
    )
    response = api(world.manager).post(path, {"email": "a@a.test", "name": "A", "role": "chef"})
    assert response.status_code == 422

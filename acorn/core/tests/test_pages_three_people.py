"""Every page, opened by the person it is for, a parent of another child, and staff of
another setting (STYLE.md). Other families' and settings' things are 404, never content."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal.models import Observation


def test_child_journal_page(world, web):
    f.observation(author=world.key_person, children=[world.child], text="Xander jumped.")
    path = f"/children/{world.child.pk}/journal"
    response = web(world.parent).get(path)
    assert response.status_code == 200 and "Xander jumped." in response.content.decode()
    assert "face to face" in response.content.decode()
    assert web(world.key_person).get(path).status_code == 200
    for outsider in (world.other_parent, world.other_manager):
        response = web(outsider).get(path)
        assert response.status_code == 404
        assert "Xander" not in response.content.decode()


def test_child_profile_page(world, web):
    path = f"/children/{world.child.pk}/"
    staff_view = web(world.manager).get(path).content.decode()
    assert "Pat Parent" in staff_view and "Kate Key" in staff_view
    parent_view = web(world.parent).get(path)
    assert parent_view.status_code == 200
    assert "Kate Key" in parent_view.content.decode()  # key person shown to parents
    assert "Olly Other" not in parent_view.content.decode()
    for outsider in (world.other_parent, world.other_manager):
        assert web(outsider).get(path).status_code == 404


def test_observation_page(world, web):
    obs = f.observation(
        author=world.key_person, children=[world.child, world.other_child], text="Den building."
    )
    path = f"/observations/{obs.pk}/"
    parent_view = web(world.parent).get(path).content.decode()
    assert "Den building." in parent_view and "Yasmin" not in parent_view
    assert web(world.other_parent).get(path).status_code == 200  # Yasmin is in it too
    far = f.observation(author=world.key_person, children=[world.child])
    assert web(world.other_parent).get(f"/observations/{far.pk}/").status_code == 404
    assert web(world.other_manager).get(path).status_code == 404
    assert web(world.manager).get("/observations/nonsense/").status_code == 404


def test_children_list_page(world, web):
    page = web(world.key_person).get("/children/").content.decode()
    assert "Xander" in page and "Yasmin" in page and "Zoe" not in page
    assert web(world.other_manager).get("/children/").content.decode().count("Xander") == 0
    assert web(world.parent).get("/children/").status_code == 403


def test_children_list_flags_children_not_observed_lately(world, web):
    from datetime import timedelta

    from django.utils import timezone

    f.observation(
        author=world.key_person,
        children=[world.child],
        observed_on=timezone.localdate() - timedelta(days=20),
    )
    f.observation(author=world.key_person, children=[world.other_child])
    page = web(world.key_person).get("/children/").content.decode()
    assert page.count("Nothing for 14+ days") == 1
    assert "No observations yet" not in page
    f.ChildFactory(setting=world.setting_a, first_name="Newbie", key_person=world.key_person)
    assert "No observations yet" in web(world.key_person).get("/children/").content.decode()


def test_children_list_filters(world, web):
    client = web(world.manager)
    assert "Xander" not in client.get("/children/?show=mine").content.decode()
    assert "Xander" in client.get("/children/?q=xan").content.decode()
    assert "Yasmin" not in client.get("/children/?q=xan").content.decode()


def test_add_child_page(world, web):
    data = {
        "first_name": "Rose",
        "last_name": "O'Neill",
        "date_of_birth": "2023-02-01",
        "start_date": "2025-09-01",
        "key_person": str(world.key_person.pk),
    }
    response = web(world.manager).post("/children/new", data)
    assert response.status_code == 302
    assert Child.objects.filter(first_name="Rose", setting=world.setting_a).exists()
    assert web(world.key_person).get("/children/new").status_code == 403
    assert web(world.parent).get("/children/new").status_code == 403
    # Another setting's manager can't choose this setting's staff as key person.
    response = web(world.other_manager).post("/children/new", {**data, "first_name": "Ivy"})
    assert response.status_code == 200
    assert not Child.objects.filter(first_name="Ivy").exists()


def test_add_child_form_errors_keep_what_was_typed(world, web):
    response = web(world.manager).post(
        "/children/new",
        {
            "first_name": "Rose",
            "last_name": "",
            "date_of_birth": "not a date",
            "key_person": str(world.key_person.pk),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'value="Rose"' in page


def test_edit_child_page(world, web):
    path = f"/children/{world.child.pk}/edit"
    data = {
        "first_name": "Xander",
        "last_name": "Young-Smith",
        "date_of_birth": "2023-03-01",
        "start_date": "2025-09-01",
        "key_person": str(world.key_person.pk),
        "backup_key_person": str(world.key_person.pk),
    }
    response = web(world.manager).post(path, data)
    assert response.status_code == 200
    assert "someone other than the key person" in response.content.decode()
    data["backup_key_person"] = str(world.manager.pk)
    assert web(world.manager).post(path, data).status_code == 302
    assert Child.objects.get(pk=world.child.pk).last_name == "Young-Smith"
    assert web(world.key_person).get(path).status_code == 403
    assert web(world.other_parent).get(path).status_code == 403
    assert web(world.other_manager).get(path).status_code == 404


def test_parent_invite_page(world, web, mailoutbox, django_capture_on_commit_callbacks):
    path = f"/children/{world.child.pk}/parents/invite"
    with django_capture_on_commit_callbacks(execute=True):
        response = web(world.key_person).post(path, {"name": "Gran", "email": "gran@a.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/invite/" in mailoutbox[0].body
    assert web(world.parent).get(path).status_code == 403
    assert web(world.other_manager).get(path).status_code == 404
    practitioner = f.staff(world.setting_a)
    assert web(practitioner).get(path).status_code == 403


def test_new_observation_page(world, web):
    client = web(world.key_person)
    page = client.get("/observations/new").content.decode()
    assert "Xander" in page and "Zoe" not in page
    response = client.post(
        "/observations/new",
        {
            "children": [str(world.child.pk), str(world.other_child.pk)],
            "text": "Played shops.",
            "observed_on": date.today().isoformat(),
            "areas": ["M"],
            "action": "publish",
        },
    )
    assert response.status_code == 302
    obs = Observation.objects.get()
    assert obs.status == "published" and obs.children.count() == 2
    assert web(world.parent).get("/observations/new").status_code == 403
    # Another setting's staff cannot pick this setting's children.
    response = web(world.other_manager).post(
        "/observations/new",
        {"children": [str(world.child.pk)], "text": "x", "observed_on": date.today().isoformat()},
    )
    assert response.status_code == 200
    assert Observation.objects.count() == 1


def test_new_observation_errors_keep_the_text(world, web):
    response = web(world.key_person).post(
        "/observations/new",
        {"text": "Half-written note about painting", "observed_on": date.today().isoformat()},
    )
    page = response.content.decode()
    assert "Choose at least one child" in page
    assert "Half-written note about painting" in page


def test_draft_and_publish_pages(world, web):
    client = web(world.key_person)
    client.post(
        "/observations/new",
        {
            "children": [str(world.child.pk)],
            "text": "Draft one",
            "observed_on": date.today().isoformat(),
            "action": "draft",
        },
    )
    obs = Observation.objects.get()
    assert obs.status == "draft"
    assert "Draft one" in client.get("/observations/drafts").content.decode()
    assert "Draft one" not in web(world.manager).get("/observations/drafts").content.decode()
    assert web(world.manager).post(f"/observations/{obs.pk}/publish").status_code == 404
    assert web(world.other_manager).post(f"/observations/{obs.pk}/publish").status_code == 404
    assert web(world.parent).post(f"/observations/{obs.pk}/publish").status_code == 403
    assert client.post(f"/observations/{obs.pk}/publish").status_code == 302
    obs.refresh_from_db()
    assert obs.status == "published"


def test_staff_page_and_role_change(world, web):
    page = web(world.manager).get("/staff/").content.decode()
    assert "Kate Key" in page and "Bea Boss" not in page
    assert web(world.key_person).get("/staff/").status_code == 403
    assert web(world.parent).get("/staff/").status_code == 403
    membership = world.key_person.memberships.get()
    assert (
        web(world.other_manager)
        .post(f"/staff/{membership.pk}/role", {"role": "deputy"})
        .status_code
        == 404
    )
    web(world.manager).post(f"/staff/{membership.pk}/role", {"role": "deputy"})
    membership.refresh_from_db()
    assert membership.role == "deputy"


def test_the_last_manager_cannot_be_demoted(world, web):
    membership = world.manager.memberships.get()
    web(world.manager).post(f"/staff/{membership.pk}/role", {"role": "practitioner"})
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_staff_invite_page(world, web, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = web(world.manager).post(
            "/staff/", {"name": "Dee Deputy", "email": "dee@a.test", "role": "deputy"}
        )
    assert response.status_code == 302
    assert "Join Acorn Tree Nursery" in mailoutbox[0].subject


def test_home_sends_each_person_to_their_start(world, web):
    assert web(world.key_person).get("/").url == "/children/?show=mine"
    assert web(world.manager).get("/").url == "/dashboard/"
    assert web(f.staff(world.setting_a)).get("/").url == "/children/"
    assert web(world.parent).get("/").url == f"/children/{world.child.pk}/journal"


def test_public_pages(db, client):
    for path in (
        "/sign-in/",
        "/help/",
        "/password-reset/",
        "/password-reset/sent/",
        "/password-reset/done/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/children/").url.startswith("/sign-in/")


def test_account_page(world, web):
    assert "Sign out everywhere" in web(world.parent).get("/account/").content.decode()


@pytest.mark.parametrize("viewer", ["parent", "key_person"])
def test_journal_page_query_count_is_fixed(world, web, viewer):
    client = web(getattr(world, viewer))
    path = f"/children/{world.child.pk}/journal"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    f.observation(author=world.key_person, children=[world.child])
    count()  # staff clearance is cached from the first request on
    few = count()
    for _ in range(12):
        f.observation(author=world.manager, children=[world.child, world.other_child])
    assert count() == few


def test_pages_send_a_strict_content_security_policy(world, web):
    response = web(world.parent).get(f"/children/{world.child.pk}/journal")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_switching_setting_only_to_ones_you_work_in(world, web):
    from acorn.org.models import Membership

    Membership.objects.create(user=world.key_person, setting=world.setting_b, role="practitioner")
    f.clear(world.key_person, world.setting_b)
    client = web(world.key_person)
    assert "Xander" in client.get("/children/").content.decode()
    client.post("/switch-setting/", {"setting": str(world.setting_b.pk)})
    page = client.get("/children/").content.decode()
    assert "Zoe" in page and "Xander" not in page
    # A setting they don't work in is ignored, whatever the form says.
    other = f.SettingFactory(name="Elsewhere")
    client.post("/switch-setting/", {"setting": str(other.pk)})
    assert "Zoe" in client.get("/children/").content.decode()
    assert (
        web(world.parent).post("/switch-setting/", {"setting": str(world.setting_a.pk)}).status_code
        == 403
    )

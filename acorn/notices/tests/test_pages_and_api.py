"""The list page, the badge and the API: each person's own notifications, nobody else's."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acorn.core.tests import factories as f
from acorn.journal import services as journal
from acorn.notices.models import Notice
from acorn.notices.tests.helpers import entry

pytestmark = pytest.mark.django_db


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_parent_sees_their_own_notifications_newest_first_with_a_badge(world, web):
    entry(world, text="First")
    entry(world, text="Second")
    page = web(world.parent).get("/notifications/")
    html = unescape(page.content.decode())
    assert html.count("There's something new in Xander's journal.") == 2
    assert html.count('class="inbox-item inbox-unread"') == 2
    assert "Notifications, 2 new" in html and 'class="notices-count" aria-hidden="true">2<' in html
    assert "Mark all as read" in html
    assert "Yasmin" not in html


def test_other_families_and_other_settings_see_none_of_it(world, web):
    entry(world)
    for person in (world.other_parent, world.other_manager):
        html = unescape(web(person).get("/notifications/").content.decode())
        assert "Xander" not in html and "notices-count" not in html
    notice = Notice.objects.get(recipient=world.parent)
    for person in (world.other_parent, world.other_manager, world.key_person):
        assert web(person).get(f"/notifications/{notice.pk}/").status_code == 404
    assert Notice.objects.get(pk=notice.pk).read_at is None


def test_opening_one_marks_it_read_and_goes_to_the_entry(world, web):
    obs = entry(world)
    notice = Notice.objects.get(recipient=world.parent)
    client = web(world.parent)
    response = client.get(f"/notifications/{notice.pk}/")
    assert response.status_code == 302 and response.url == f"/observations/{obs.pk}/"
    assert Notice.objects.get(pk=notice.pk).read_at is not None
    assert client.get(response.url).status_code == 200
    html = unescape(client.get("/notifications/").content.decode())
    assert "inbox-unread" not in html and "notices-count" not in html
    assert client.get("/notifications/not-an-id/").status_code == 404


def test_mark_all_as_read_marks_only_ones_own(world, web):
    obs = entry(world, children=[world.child, world.other_child])
    journal.comment_add(observation=obs, author=world.parent, text="Lovely", child=world.child)
    client = web(world.key_person)
    assert client.post("/notifications/read").status_code == 302
    assert not Notice.objects.filter(recipient=world.key_person, read_at=None).exists()
    assert Notice.objects.filter(recipient=world.other_parent, read_at=None).count() == 1
    assert client.get("/notifications/read").status_code == 405


def test_staff_see_replies_with_a_link_to_the_entry(world, web):
    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Lovely")
    html = unescape(web(world.key_person).get("/notifications/").content.decode())
    assert "Pat Parent replied on an entry about Xander." in html
    notice = Notice.objects.get(recipient=world.key_person)
    assert f'href="/notifications/{notice.pk}/"' in html


def test_parent_who_is_uncleared_staff_gets_only_parent_notifications(world, web):
    both = f.staff(world.setting_a, "practitioner", cleared=False, name="Perry Both")
    f.parent_of(world.child, user=both)
    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Lovely")
    Notice.objects.create(
        recipient=both, kind="reply", setting=world.setting_a, child=world.child, observation=obs
    )
    html = unescape(web(both).get("/notifications/").content.decode())
    assert "There's something new in Xander's journal." in html
    assert "replied" not in html
    assert "Notifications, 1 new" in html


def test_list_and_badge_keep_a_fixed_number_of_queries(world, web):
    client = web(world.parent)
    entry(world)
    client.get("/notifications/")  # warm the per-process caches (clearance, redactor)
    few = _queries(client, "/notifications/")
    badge_few = _queries(client, "/account/")
    for n in range(30):
        entry(world, text=f"Entry {n}")
    assert _queries(client, "/notifications/") == few
    assert _queries(client, "/notifications/?page=2") == few
    assert _queries(client, "/account/") == badge_few


def test_the_badge_costs_one_query(world, web):
    client = web(world.parent)
    entry(world)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/account/")
    assert sum('"notices_notice"' in q["sql"] for q in ctx.captured_queries) == 1


def test_email_choice_on_the_account_page(world, web):
    client = web(world.parent)
    html = unescape(client.get("/account/").content.decode())
    assert 'name="email" value="each" checked' in html
    assert client.post("/account/notifications", {"email": "daily"}).status_code == 302
    assert 'value="daily" checked' in unescape(client.get("/account/").content.decode())
    client.post("/account/notifications", {"email": "sometimes"})
    assert 'value="daily" checked' in unescape(client.get("/account/").content.decode())
    staff_html = unescape(web(world.key_person).get("/account/").content.decode())
    assert 'name="staff_daily_email"' in staff_html and 'name="email"' not in staff_html


# --- API ------------------------------------------------------------------------------


def test_api_lists_ones_own_and_marks_read(world, api):
    obs = entry(world)
    parent = api(world.parent)
    body = parent.get("/notifications").json()
    assert body["unread"] == 1 and body["next"] is None
    (item,) = body["items"]
    assert item["kind"] == "entry" and item["object_type"] == "observation"
    assert item["object_id"] == str(obs.pk) and item["child_id"] == str(world.child.pk)
    assert item["text"] == "There's something new in Xander's journal."
    assert item["read_at"] is None
    assert api(world.other_parent).get("/notifications").json() == {
        "items": [],
        "next": None,
        "unread": 0,
    }
    # Someone else's id is ignored, not marked.
    assert api(world.other_parent).post("/notifications/read", {"ids": [item["id"]]}).json() == {
        "unread": 0
    }
    assert Notice.objects.get(pk=item["id"]).read_at is None
    assert parent.post("/notifications/read", {"ids": [item["id"]]}).json() == {"unread": 0}
    assert parent.get("/notifications", unread="true").json()["items"] == []
    assert parent.get("/notifications").json()["items"][0]["read_at"] is not None


def test_api_pages_by_cursor(world, api):
    for n in range(55):
        entry(world, text=f"Entry {n}")
    parent = api(world.parent)
    first = parent.get("/notifications").json()
    assert len(first["items"]) == 50 and first["next"]
    second = parent.get("/notifications", cursor=first["next"]).json()
    assert len(second["items"]) == 5 and second["next"] is None
    assert parent.post("/notifications/read").json() == {"unread": 0}


def test_api_needs_sign_in(world, api):
    assert api().get("/notifications").status_code == 401
    assert api().post("/notifications/read").status_code == 401


def test_each_kind_opens_a_page_its_recipient_may_see(world, web):
    from acorn.notices.tests.helpers import contribution
    from tests.security.reports_world import shared_report

    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Lovely")
    journal.comment_add(observation=obs, author=world.key_person, text="Thanks", child=world.child)
    waiting = contribution(world)
    journal.contribution_approve(observation=contribution(world), approved_by=world.manager)
    journal.observation_review(
        observation=entry(world), reviewer=world.manager, feedback="Good detail."
    )
    journal.contribution_reject(observation=waiting, rejected_by=world.manager, reason="Dup.")
    shared_report(world)
    opened = set()
    for person in (world.parent, world.key_person, world.manager):
        client = web(person)
        for notice in Notice.objects.filter(recipient=person):
            response = client.get(f"/notifications/{notice.pk}/")
            assert response.status_code == 302, notice.kind
            assert client.get(response.url).status_code == 200, notice.kind
            opened.add(notice.kind)
    assert opened == {k for k, _ in Notice.Kind.choices}


def test_api_shows_staff_of_another_setting_nothing(world, api):
    obs = entry(world, author=world.manager)
    journal.comment_add(observation=obs, author=world.parent, text="Lovely")
    assert api(world.other_manager).get("/notifications").json()["items"] == []
    assert [i["kind"] for i in api(world.key_person).get("/notifications").json()["items"]] == [
        "reply"
    ]

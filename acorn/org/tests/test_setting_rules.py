"""Setting administration: GET/PATCH /settings/{sid}, the rules page and the dashboard."""

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.suitability.models import UpdateServiceSubscription

INSIDE = {"REMOTE_ADDR": "192.0.2.10"}


def test_get_setting_three_people(world, api):
    path = f"/settings/{world.setting_a.pk}"
    body = api(world.manager).get(path).json()
    assert body == {
        "id": str(world.setting_a.pk),
        "name": "Acorn Tree Nursery",
        "timezone": "Europe/London",
        "on_site_networks": [],
        "trusted_proxies": [],
        "session_times": [],
        "mfa_for_practitioners": False,
    }
    assert api(world.key_person).get(path).json()["code"] == "forbidden"
    assert api(world.parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404


def test_patch_setting(world, api):
    path = f"/settings/{world.setting_a.pk}"
    client = api(world.manager, **INSIDE)
    response = client.patch(
        path,
        {
            "on_site_networks": ["192.0.2.0/24", "2001:db8::/32"],
            "trusted_proxies": ["10.0.0.5"],
            "session_times": [{"weekday": 4, "start": "08:45", "end": "15:15"}],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["trusted_proxies"] == ["10.0.0.5/32"]
    assert body["session_times"] == [{"weekday": 4, "start": "08:45", "end": "15:15"}]
    for bad in (
        {"on_site_networks": ["not a network"]},
        {"session_times": [{"weekday": 7, "start": "08:45", "end": "15:15"}]},
        {"session_times": [{"weekday": 1, "start": "15:00", "end": "09:00"}]},
        {"session_times": [{"weekday": 1, "start": "9am", "end": "15:00"}]},
    ):
        response = client.patch(path, bad)
        assert response.status_code == 422 and response.json()["code"] == "invalid", bad
    assert api(world.key_person).patch(path, {"trusted_proxies": []}).status_code == 403
    assert api(world.parent).patch(path, {"trusted_proxies": []}).status_code == 404
    assert api(world.other_manager).patch(path, {"trusted_proxies": []}).status_code == 404
    assert AuditEvent.objects.filter(action="setting.rules_change").count() == 1


def test_rules_page(world, web):
    client = web(world.manager, **INSIDE)
    assert "Session times" in client.get("/setting/").content.decode()
    response = client.post(
        "/setting/",
        {
            "on_site_networks": "192.0.2.0/24",
            "trusted_proxies": "",
            "day_0": "08:45-11:45, 12:15-15:00",
            "day_2": "09:00-12:00",
        },
    )
    assert response.status_code == 302
    world.setting_a.refresh_from_db()
    assert world.setting_a.session_times == [
        {"weekday": 0, "start": "08:45", "end": "11:45"},
        {"weekday": 0, "start": "12:15", "end": "15:00"},
        {"weekday": 2, "start": "09:00", "end": "12:00"},
    ]
    response = client.post("/setting/", {"day_1": "lunchtime"})
    assert response.status_code == 200 and "HH:MM" in response.content.decode()
    assert web(world.key_person, **INSIDE).get("/setting/").status_code == 403
    assert web(world.parent).get("/setting/").status_code == 403
    page = web(world.other_manager).get("/setting/").content.decode()
    assert "Birch Pre-school" in page and "192.0.2.0/24" not in page


def test_dashboard_three_people(world, web):
    UpdateServiceSubscription.objects.create(
        setting=world.setting_a,
        person=world.key_person,
        subscription_id="C9",
        renews_on=timezone.localdate() + timedelta(days=12),
    )
    newcomer = f.staff(world.setting_a, cleared=False, name="Nina New")
    page = web(world.manager).get("/dashboard/").content.decode()
    assert "Kate Key" in page and "DBS Update Service subscription" in page
    assert "Nina New" in page and "Checks incomplete" in page
    assert "can't apply until you list your networks" in page
    assert web(world.key_person).get("/dashboard/").status_code == 403
    assert web(world.parent).get("/dashboard/").status_code == 403
    other = web(world.other_manager).get("/dashboard/").content.decode()
    assert "Kate Key" not in other and "Nina New" not in other
    assert newcomer


def test_staff_page_shows_clearance_and_two_step(world, web):
    f.staff(world.setting_a, cleared=False, name="Nina New")
    f.staff(world.setting_a, "deputy", name="Dee Deputy")
    page = web(world.manager).get("/staff/").content.decode()
    assert "Checks incomplete" in page and "Cleared" in page and "Reset (lost phone)" in page


def test_reminders_are_sent_once_per_stage_and_carry_no_child_data(
    world, django_capture_on_commit_callbacks
):
    UpdateServiceSubscription.objects.create(
        setting=world.setting_a,
        person=world.key_person,
        subscription_id="C9",
        renews_on=timezone.localdate() + timedelta(days=14),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_clearance_reminders")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["key@a.test", "manager@a.test"]
    for message in mail.outbox:
        assert "Xander" not in message.body and "Yasmin" not in message.body
        assert "Update Service" in message.subject
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_clearance_reminders")
    assert len(mail.outbox) == 2
    later = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_clearance_reminders", f"--as-of={later.isoformat()}")
    assert len(mail.outbox) == 4


def test_catch_all_and_public_proxies_are_refused_in_the_api(world, api):
    path = f"/settings/{world.setting_a.pk}"
    client = api(world.manager, **INSIDE)
    for bad in (["0.0.0.0/0"], ["::/0"], ["8.8.8.8"], ["10.0.0.0/8"], ["2001:db8::/32"]):
        response = client.patch(path, {"trusted_proxies": bad})
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid"
        assert "proxy" in response.json()["detail"], response.json()
    world.setting_a.refresh_from_db()
    assert world.setting_a.trusted_proxies == []
    for good in (["10.1.2.3"], ["192.168.0.0/24", "127.0.0.1"], ["fd00:1::/64"], ["::1"]):
        assert client.patch(path, {"trusted_proxies": good}).status_code == 200, good


def test_catch_all_proxies_are_refused_on_the_rules_page(world, web):
    client = web(world.manager, **INSIDE)
    response = client.post("/setting/", {"on_site_networks": "", "trusted_proxies": "0.0.0.0/0"})
    assert response.status_code == 200
    assert "0.0.0.0/0" in response.content.decode()
    assert "private network" in response.content.decode()
    world.setting_a.refresh_from_db()
    assert world.setting_a.trusted_proxies == []

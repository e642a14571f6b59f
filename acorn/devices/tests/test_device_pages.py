"""Device pages: the register, enrolment of the browser, the sign-out sheet, the monthly
print and "missing" ending a session opened on the device on its next request."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.devices.models import Device, SignOut
from acorn.devices.services import DEVICE_COOKIE


def _enrolled_browser(world, web, tablet):
    """The manager enrols the tablet from its own browser; returns that browser (still
    signed in as the manager) and the raw device cookie."""
    browser = web(world.manager)
    response = browser.post(f"/devices/{tablet.pk}/enrol")
    assert response.status_code == 302
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    return browser, cookie.value


def _sign_in_on(device_cookie, user):
    from django.test import Client

    client = Client()
    client.cookies[DEVICE_COOKIE] = device_cookie
    response = client.post("/sign-in/", {"email": user.email, "password": f.PASSWORD})
    if response.url.startswith("/sign-in/code/"):
        response = client.post(response.url, {"code": f.recovery_code(user)})
    assert response.status_code == 302
    return client


def test_register_page_for_leaders_only(world, web, tablet, far_tablet):
    page = web(world.manager).get("/devices/")
    assert page.status_code == 200
    assert "Blue iPad" in page.content.decode() and "Birch iPad" not in page.content.decode()
    assert web(world.key_person).get("/devices/").status_code == 403
    assert web(world.parent).get("/devices/").status_code == 403
    assert "Blue iPad" not in web(world.other_manager).get("/devices/").content.decode()


def test_device_page_of_another_setting_is_not_found(world, web, tablet):
    other = web(world.other_manager)
    assert other.get(f"/devices/{tablet.pk}/").status_code == 404
    assert other.post(f"/devices/{tablet.pk}/missing", {"note": "x"}).status_code == 404
    assert other.post(f"/devices/{tablet.pk}/enrol").status_code == 404
    assert web(world.parent).post(f"/devices/{tablet.pk}/missing").status_code == 403
    tablet.refresh_from_db()
    assert tablet.state == "in_setting"


def test_leader_adds_a_device_on_the_register_page(world, web):
    client = web(world.manager)
    response = client.post(
        "/devices/", {"name": "Red camera", "kind": "camera", "serial": "S1", "asset_tag": ""}
    )
    assert response.status_code == 302
    assert Device.objects.get(name="Red camera").setting == world.setting_a


def test_register_page_query_count_does_not_grow_with_devices(world, web):
    client = web(world.manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/devices/").status_code == 200
        return len(ctx.captured_queries)

    Device.objects.create(setting=world.setting_a, name="First", kind="tablet")
    count()  # the first request of a process fills its per-process caches
    few = count()
    for n in range(8):
        device = Device.objects.create(setting=world.setting_a, name=f"Tab {n}", kind="tablet")
        SignOut.objects.create(
            device=device,
            setting=world.setting_a,
            person=world.key_person,
            reason="trip",
            expected_back=timezone.now() + timedelta(days=1 - n % 3),
            signature_name="Kate Key",
            status="out" if n % 2 else "requested",
            authorised_by=world.manager if n % 2 else None,
        )
    assert count() == few


def test_whole_sign_out_flow_in_pages(world, web, tablet):
    key = web(world.key_person)
    form = key.get("/devices/take/")
    assert form.status_code == 200 and "Blue iPad" in form.content.decode()
    back = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    wrong = key.post(
        "/devices/take/",
        {
            "device": tablet.pk,
            "reason": "Home visit",
            "expected_back": back,
            "signature_name": "Someone Else",
        },
    )
    assert wrong.status_code == 200
    assert "type your name as it is on your Acorn account" in wrong.content.decode()
    asked = key.post(
        "/devices/take/",
        {
            "device": tablet.pk,
            "reason": "Home visit",
            "expected_back": back,
            "signature_name": "kate key",
        },
    )
    assert asked.status_code == 302
    signout = SignOut.objects.get()
    leader = web(world.manager)
    register = leader.get("/devices/").content.decode()
    assert "Waiting for your authorisation" in register and "Home visit" in register
    leader.post(f"/signouts/{signout.pk}/authorise", {"signature_name": "Mia  Manager"})
    signout.refresh_from_db()
    assert signout.status == "out"
    assert "Signed out to Kate Key" in leader.get("/devices/").content.decode()
    assert web(world.other_manager).post(f"/signouts/{signout.pk}/return").status_code == 404
    key.post(f"/signouts/{signout.pk}/return")
    signout.refresh_from_db()
    assert signout.status == "returned"
    sheet = leader.get(f"/devices/sheet/?month={timezone.localdate():%Y-%m}").content.decode()
    assert "Home visit" in sheet and "Mia Manager" in sheet and "kate key" in sheet
    assert "@media print" in open("acorn/core/static/acorn/app.css").read()


def test_sheet_shows_only_the_month_asked_for(world, web, tablet):
    with time_machine.travel("2026-01-15 10:00Z"):
        SignOut.objects.create(
            device=tablet,
            setting=world.setting_a,
            person=world.key_person,
            reason="January outing",
            expected_back=timezone.now() + timedelta(hours=5),
            signature_name="Kate Key",
        )
    client = web(world.manager)
    assert "January outing" in client.get("/devices/sheet/?month=2026-01").content.decode()
    assert "January outing" not in client.get("/devices/sheet/?month=2026-02").content.decode()
    assert client.get("/devices/sheet/?month=nonsense").status_code == 200
    assert (
        "January outing"
        not in web(world.other_manager).get("/devices/sheet/?month=2026-01").content.decode()
    )


def test_staff_without_key_children_see_why_they_cannot_take_a_device(world, web, helper):
    page = web(helper).get("/devices/take/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "Only key people can take a device out" in text and "Hal Helper" in text
    assert AuditEvent.objects.filter(action="refused.key_workers_only").exists()


def test_overdue_devices_show_on_today(world, web, tablet):
    SignOut.objects.create(
        device=tablet,
        setting=world.setting_a,
        person=world.key_person,
        reason="trip",
        expected_back=timezone.now() - timedelta(hours=1),
        signature_name="Kate Key",
        status="out",
        authorised_by=world.manager,
    )
    today = web(world.manager).get("/dashboard/").content.decode()
    assert "Devices not back" in today and "Blue iPad" in today and "Kate Key" in today
    assert "Blue iPad" not in web(world.other_manager).get("/dashboard/").content.decode()


def test_enrolment_cookie_survives_sign_out_and_grants_nothing_alone(world, web, tablet):
    from django.test import Client

    browser, raw = _enrolled_browser(world, web, tablet)
    browser.post("/sign-out/")
    assert browser.cookies[DEVICE_COOKIE].value == raw
    stranger = Client()
    stranger.cookies[DEVICE_COOKIE] = raw
    response = stranger.get("/children/")
    assert response.status_code == 302 and "/sign-in/" in response.url


def test_missing_ends_the_session_on_the_device_but_not_the_persons_other_sessions(
    world, web, tablet
):
    _browser, raw = _enrolled_browser(world, web, tablet)
    on_tablet = _sign_in_on(raw, world.key_person)
    at_home = web(world.key_person)
    assert on_tablet.get("/children/").status_code == 200
    login = AuditEvent.objects.filter(action="login", actor_id=world.key_person.pk).first()
    assert login.detail.get("device") == str(tablet.pk)
    trail = web(world.manager).get("/audit/").content.decode()
    assert "on Blue iPad" in trail

    manager_elsewhere = web(world.manager)
    manager_elsewhere.post(f"/devices/{tablet.pk}/missing", {"note": "Lost on the trip"})

    refused = on_tablet.get("/children/")
    assert refused.status_code == 302 and refused.url.startswith("/sign-in/")
    assert on_tablet.get("/children/").status_code == 302  # and stays signed out
    assert at_home.get("/children/").status_code == 200
    assert manager_elsewhere.get("/devices/").status_code == 200
    assert AuditEvent.objects.filter(action="logout.device", actor_id=world.key_person.pk).exists()


def test_session_of_the_leader_who_enrolled_it_also_ends_when_missing(world, web, tablet):
    browser, _raw = _enrolled_browser(world, web, tablet)
    web(world.manager).post(f"/devices/{tablet.pk}/missing", {})
    assert browser.get("/devices/").status_code == 302


def test_found_tablet_enrolled_again_gets_a_new_cookie(world, web, tablet):
    browser, old = _enrolled_browser(world, web, tablet)
    browser.post(f"/devices/{tablet.pk}/missing", {})
    leader = web(world.manager)
    response = leader.post(f"/devices/{tablet.pk}/enrol")
    assert response.cookies[DEVICE_COOKIE].value != old
    tablet.refresh_from_db()
    assert tablet.state == "in_setting"
    # A sign-in with the old cookie isn't bound to anything.
    client = _sign_in_on(old, world.key_person)
    assert client.get("/children/").status_code == 200
    assert "acorn_device" not in client.session

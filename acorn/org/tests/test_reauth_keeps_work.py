"""After "Confirm it's you" the change that asked for it is finished with what was
posted, never lost; the posted form is kept in the session briefly, once, without
passwords."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from acorn.accounts.reauth import RESUME_KEY
from acorn.core.tests import factories as f

WEEKDAYS = {f"day_{day}": "08:45-15:15" if day < 5 else "" for day in range(7)}


def _rules(**changes):
    return {"on_site_networks": "", "trusted_proxies": "", **WEEKDAYS, **changes}


def _resume_form(page) -> tuple[str, list[tuple[str, str]]]:
    """The form the confirmation page posts back (its script sends it at once)."""
    kept = page.context["kept"]
    return kept["path"], kept["data"]


def _post_back(client, page):
    path, data = _resume_form(page)
    fields = {}
    for name, value in data:
        fields.setdefault(name, []).append(value)
    return client.post(path, fields)


def test_reauth_round_trip_keeps_a_session_times_edit(world, web):
    setting = world.setting_a
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = web(world.manager)
        traveller.shift(timedelta(minutes=6))
        asked = client.post(
            "/setting/", _rules(day_6="10:00-12:00"), HTTP_REFERER="http://testserver/setting/"
        )
        assert asked.url.startswith("/confirm-it-is-you/")
        setting.refresh_from_db()
        assert not any(s["weekday"] == 6 for s in setting.session_times)

        page = client.get(asked.url)
        assert "Your change is kept" in page.content.decode()
        confirmed = client.post(
            asked.url, {"password": f.PASSWORD, "code": f.recovery_code(world.manager)}
        )
        assert confirmed.status_code == 200
        body = confirmed.content.decode()
        assert 'action="/setting/"' in body and 'value="10:00-12:00"' in body
        assert f.PASSWORD not in body

        saved = _post_back(client, confirmed)
        assert saved.status_code == 302
        setting.refresh_from_db()
        assert {"weekday": 6, "start": "10:00", "end": "12:00"} in setting.session_times


def test_kept_form_is_single_use_and_holds_no_password(world, web):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = web(world.manager)
        traveller.shift(timedelta(minutes=6))
        client.post("/setting/", _rules(day_6="10:00-12:00", password="hunter2-secret"))
        kept = client.session[RESUME_KEY]
        assert all("password" not in name and "csrf" not in name for name, _ in kept["data"])
        assert "hunter2-secret" not in str(kept)
        client.post(
            "/confirm-it-is-you/",
            {"password": f.PASSWORD, "code": f.recovery_code(world.manager)},
        )
        assert RESUME_KEY not in client.session


def test_kept_form_expires_after_five_minutes(world, web):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = web(world.manager)
        traveller.shift(timedelta(minutes=6))
        client.post("/setting/", _rules(day_6="10:00-12:00"))
        traveller.shift(timedelta(minutes=6))
        confirmed = client.post(
            "/confirm-it-is-you/?next=/setting/",
            {"password": f.PASSWORD, "code": f.recovery_code(world.manager)},
        )
        assert confirmed.status_code == 302
        world.setting_a.refresh_from_db()
        assert not any(s["weekday"] == 6 for s in world.setting_a.session_times)


def test_a_bad_session_time_names_the_day_and_marks_the_field_keeping_the_values(world, web):
    client = web(world.manager)
    response = client.post("/setting/", _rules(day_6="10am-12:00", day_5="09:00-12:00"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sunday: start time must be HH:MM, e.g. 08:45." in body
    assert 'id="id_day_6_error"' in body
    assert 'value="10am-12:00"' in body and 'value="09:00-12:00"' in body
    backwards = client.post("/setting/", _rules(day_2="12:00-09:00")).content.decode()
    assert "Wednesday: a session must end after it starts." in backwards


def test_role_change_is_finished_after_confirming(world, web):
    membership = world.key_person.memberships.get()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = web(world.manager)
        traveller.shift(timedelta(minutes=6))
        asked = client.post(
            f"/staff/{membership.pk}/role",
            {"role": "deputy"},
            HTTP_REFERER="http://testserver/staff/",
        )
        confirmed = client.post(
            asked.url, {"password": f.PASSWORD, "code": f.recovery_code(world.manager)}
        )
        assert _post_back(client, confirmed).url == "/staff/"
        membership.refresh_from_db()
        assert membership.role == "deputy"


def test_the_day_is_named_once_in_the_error_summary(world, web):
    body = web(world.manager).post("/setting/", _rules(day_6="10am-12:00")).content.decode()
    assert "Sunday: Sunday" not in body
    assert body.count("Sunday: start time must be HH:MM") == 2  # summary and field

"""Every refusal is on record, and probing is noticed (A-8, P-2)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from acorn.audit.models import AuditEvent
from acorn.core.tests import factories as f
from acorn.media_processing.tests import samples

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON), tick=False) as t:
        yield t


@pytest.fixture
def entry(clock, world, web, tmp_path, django_capture_on_commit_callbacks):
    """Xander's published entry with a photo, made through the capture page."""
    client = web(world.key_person)
    path = samples.noisy_jpeg(tmp_path / "p.jpg", (320, 240))
    with django_capture_on_commit_callbacks(execute=True):
        media_id = client.post(
            "/media/upload", {"file": SimpleUploadedFile("p.jpg", path.read_bytes())}
        ).json()["id"]
    client.post(
        "/observations/new",
        {
            "children": [str(world.child.pk)],
            "text": "Xander built a bridge.",
            "observed_on": date(2026, 3, 2).isoformat(),
            "media_ids": media_id,
            "action": "publish",
        },
    )
    world.entry = world.child.observations.get()
    world.media_id = media_id
    return world


def probe(world, web, api):
    """Olly, Yasmin's dad, tries 8 ways into Xander's things, on pages and the API."""
    page = web(world.other_parent, REMOTE_ADDR="198.51.100.7")
    tablet = api(world.other_parent, REMOTE_ADDR="198.51.100.7")
    child, entry, photo = world.child.pk, world.entry.pk, world.media_id
    answers = [
        page.get(f"/children/{child}/journal"),
        page.get(f"/children/{child}/"),
        page.get(f"/observations/{entry}/"),
        page.get(f"/media/{photo}/display"),
        tablet.get(f"/children/{child}"),
        tablet.get(f"/children/{child}/journal"),
        tablet.get(f"/observations/{entry}"),
        tablet.get(f"/media/{photo}/content", rendition="thumb"),
    ]
    assert [a.status_code for a in answers] == [404] * 8
    return answers


def refusals(person):
    return AuditEvent.objects.filter(actor_id=person.pk, action="refused.not_found")


def test_parents_probing_is_audited_with_who_what_and_where(entry, web, api):
    probe(entry, web, api)
    events = list(refusals(entry.other_parent).order_by("at", "id"))
    assert len(events) == 8
    assert {e.setting_id for e in events} == {entry.setting_a.pk}
    assert {e.ip for e in events} == {"198.51.100.7"}
    asked = {(e.object_type, e.object_id) for e in events}
    assert asked == {
        ("child", str(entry.child.pk)),
        ("observation", str(entry.entry.pk)),
        ("media", str(entry.media_id)),
    }
    assert f"/api/v1/children/{entry.child.pk}/journal" in {e.detail["path"] for e in events}


def test_parents_probing_is_flagged_on_today_and_emailed_once(
    entry, web, api, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        probe(entry, web, api)
    assert AuditEvent.objects.filter(action="probing.noticed").count() == 1
    today = web(entry.manager).get("/dashboard/").content.decode()
    assert "Parent Olly Other</strong> tried to open 8 things that aren't theirs" in today
    assert f"/audit/?person={entry.other_parent.pk}" in today
    # Only the leaders of the settings Olly belongs to hear of it.
    assert "Olly Other" not in web(entry.other_manager).get("/dashboard/").content.decode()
    emails = [m for m in mail.outbox if "Olly Other" in m.subject]
    assert len(emails) == 1
    (email,) = emails
    assert email.to == [entry.manager.email]
    assert f"/audit/?person={entry.other_parent.pk}" in email.body
    assert "5 things" in email.body
    # No child's data in the email.
    for word in ("Xander", "Young", "Yasmin", "bridge", str(entry.child.pk)):
        assert word not in email.body and word not in email.subject


def test_a_burst_is_flagged_once_and_a_later_burst_again(
    entry, web, api, clock, django_capture_on_commit_callbacks
):
    client = web(entry.other_parent)
    path = f"/children/{entry.child.pk}/journal"
    with django_capture_on_commit_callbacks(execute=True):
        for minute in range(20):  # one every two minutes for 40 minutes: one burst
            clock.move_to(
                datetime(2026, 3, 2, 11, 0, tzinfo=LONDON) + timedelta(minutes=2 * minute)
            )
            assert client.get(path).status_code == 404
    assert AuditEvent.objects.filter(action="probing.noticed").count() == 1
    clock.move_to(datetime(2026, 3, 2, 12, 0, tzinfo=LONDON))  # 20 quiet minutes later
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.get(path)
    assert AuditEvent.objects.filter(action="probing.noticed").count() == 2
    assert len([m for m in mail.outbox if "Olly Other" in m.subject]) == 2
    page = web(entry.manager).get("/dashboard/").content.decode()
    assert "tried to open 20 things" in page and "in 38 minutes" in page
    assert "tried to open 5 things" in page


def test_a_few_refusals_raise_no_flag(entry, web):
    client = web(entry.other_parent)
    for _ in range(4):
        client.get(f"/children/{entry.child.pk}/journal")
    assert refusals(entry.other_parent).count() == 4
    assert not AuditEvent.objects.filter(action="probing.noticed").exists()


def test_staff_normal_reads_raise_no_flag(entry, web, api):
    client = web(entry.key_person)
    tablet = api(entry.key_person)
    for _ in range(6):
        assert client.get(f"/children/{entry.child.pk}/journal").status_code == 200
        assert client.get(f"/children/{entry.child.pk}/").status_code == 200
        assert client.get(f"/observations/{entry.entry.pk}/").status_code == 200
        assert client.get(f"/media/{entry.media_id}/thumb").status_code == 200
        assert tablet.get(f"/children/{entry.child.pk}/journal").status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="refused.").exists()
    assert not AuditEvent.objects.filter(action="probing.noticed").exists()
    assert "tried to open" not in web(entry.manager).get("/dashboard/").content.decode()


def test_a_photo_still_processing_is_not_a_refusal(world, web, tmp_path):
    client = web(world.key_person)
    path = samples.noisy_jpeg(tmp_path / "p.jpg", (320, 240))
    media_id = client.post(
        "/media/upload", {"file": SimpleUploadedFile("p.jpg", path.read_bytes())}
    ).json()["id"]  # not processed: on-commit callbacks don't run here
    assert client.get(f"/media/{media_id}/display").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="refused.").exists()


def test_signed_out_requests_are_not_recorded_one_by_one(world):
    anonymous = Client()
    before = AuditEvent.objects.count()
    anonymous.get(f"/children/{world.child.pk}/journal")
    anonymous.get(f"/api/v1/children/{world.child.pk}")
    anonymous.get("/observations/00000000-0000-0000-0000-000000000000/")
    assert AuditEvent.objects.count() == before


def test_staff_refusals_are_recorded_for_their_own_setting(world, web, api):
    client = api(world.key_person)
    assert client.get(f"/children/{world.far_child.pk}").status_code == 404
    event = refusals(world.key_person).get()
    assert event.setting_id == world.setting_a.pk
    assert (event.object_type, event.object_id) == ("child", str(world.far_child.pk))


def test_audit_trail_lists_sign_ins_failures_and_refusals_by_default_in_plain_words(world, web):
    Client().post("/sign-in/", {"email": world.other_parent.email, "password": "wrong"})
    web(world.other_parent).get(f"/children/{world.child.pk}/journal")
    page = web(world.manager).get("/audit/").content.decode()
    rows = page.split("<tbody>")[1]
    assert "Signed in" in rows
    assert "Failed sign-in (wrong password)" in rows and "Someone, as Olly Other" in rows
    assert "Refused: tried to open something that isn&#x27;t theirs (a child)" in rows
    assert "refused.not_found" not in rows and "login.failed" not in rows
    # Another setting's leaders see none of it.
    other = web(world.other_manager).get("/audit/").content.decode().split("<tbody>")[1]
    assert "Olly Other" not in other and "Pat Parent" not in other


def test_audit_trail_groups_repeated_photo_views(entry, web):
    client = web(entry.parent)
    for rendition in ("thumb", "display", "thumb", "display"):
        assert client.get(f"/media/{entry.media_id}/{rendition}").status_code == 200
    page = web(entry.manager).get("/audit/").content.decode()
    assert "Viewed 1 photo or video in an entry (4 views)" in page
    assert "Viewed a photo (small)" not in page


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_today_with_flags_costs_a_fixed_number_of_queries(world, web):
    def burst(person):
        client = web(person)
        for _ in range(5):
            client.get(f"/children/{world.far_child.pk}/journal")

    burst(world.other_parent)
    leader = web(world.manager)
    _queries(leader, "/dashboard/")  # the leader's clearance is cached from here on
    few = _queries(leader, "/dashboard/")
    burst(world.parent)
    burst(f.parent_of(world.other_child, name="Second Carer"))
    assert "Second Carer" in leader.get("/dashboard/").content.decode()
    assert _queries(leader, "/dashboard/") == few


def test_audit_page_costs_a_fixed_number_of_queries(entry, web):
    leader = web(entry.manager)
    web(entry.parent).get(f"/media/{entry.media_id}/thumb")
    _queries(leader, "/audit/")  # the leader's clearance is cached from here on
    few = _queries(leader, "/audit/")
    for person in (entry.parent, entry.other_parent, entry.key_person):
        client = web(person)
        client.get(f"/children/{entry.child.pk}/journal")
        client.get(f"/media/{entry.media_id}/thumb")
        client.get(f"/media/{entry.media_id}/display")
    assert _queries(leader, "/audit/") == few


def test_todays_probing_flags_are_found_by_their_own_index(world):
    """Today looks for the day's flags on every visit: a busy setting's day holds thousands
    of events (every journal read is one), so the flags have a partial index of their own."""
    from django.db import connection
    from django.utils import timezone

    from acorn.audit.models import AuditEvent
    from acorn.audit.selectors import _probing_noticed
    from acorn.audit.services import PROBING_NOTICED

    index = next(i for i in AuditEvent._meta.indexes if i.name == "audit_probing_noticed")
    assert dict(index.condition.children) == {"action": PROBING_NOTICED}
    AuditEvent.objects.bulk_create(
        AuditEvent(setting_id=world.setting_a.pk, action="journal.read") for _ in range(300)
    )
    since = timezone.now() - timezone.timedelta(hours=24)
    sql, params = _probing_noticed(world.setting_a.pk, since).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "audit_probing_noticed" in plan, plan


def test_todays_probing_flags_keep_their_index_in_postgresqls_one_plan(world):
    """A statement run again and again gets one plan for any values (a generic plan): the
    action is in its SQL itself, so that plan can use the flags' partial index too."""
    from django.db import connection
    from django.utils import timezone

    from acorn.audit.models import AuditEvent
    from acorn.audit.selectors import _probing_noticed
    from acorn.core.tests.plans import generic_plan

    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans each run with its values.")
    AuditEvent.objects.bulk_create(
        AuditEvent(setting_id=world.setting_a.pk, action="journal.read") for _ in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("SET enable_seqscan = off")
    since = timezone.now() - timezone.timedelta(hours=24)
    plan = generic_plan(_probing_noticed(world.setting_a.pk, since))
    assert "audit_probing_noticed" in plan, plan

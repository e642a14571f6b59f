"""The audit trail (A-8): append-only, browsed by session leaders."""

import pytest

from acorn.audit.models import AuditEvent
from acorn.audit.services import audit_record
from acorn.core.tests import factories as f


def test_audit_events_are_append_only(db):
    event = audit_record(action="test")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_a_recorded_line_reads_back_as_it_was_given(world):
    """Lines are inserted by SQL compiled once per connection (issue 13): every value
    must reach the database as Django's own save would put it, and the line gets its id."""
    from django.test import RequestFactory

    from acorn.audit.services import audit_record

    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8::7")
    request.user = world.parent
    lines = [
        audit_record(
            action="journal.read",
            request=request,
            setting_id=world.setting_a.pk,
            child_id=world.child.pk,
            object_type="child",
            object_id=world.child.pk,
            detail={"why": "a test", "n": 2, "nested": ["é", None]},
        ),
        audit_record(action="test"),
    ]
    assert lines[0].pk and lines[1].pk > lines[0].pk
    first, second = (AuditEvent.objects.get(pk=line.pk) for line in lines)
    assert (first.action, first.actor_id, first.setting_id, first.child_id) == (
        "journal.read", world.parent.pk, world.setting_a.pk, world.child.pk,
    )  # fmt: skip
    assert (first.object_type, first.object_id) == ("child", str(world.child.pk))
    assert first.ip == "2001:db8::7" and first.at == lines[0].at is not None
    assert first.detail == {"why": "a test", "n": 2, "nested": ["é", None]}
    assert (second.actor_id, second.setting_id, second.ip, second.detail) == (None, None, None, {})


def test_reads_logins_and_refusals_are_recorded_with_the_address(world, web):
    client = web(world.parent, REMOTE_ADDR="198.51.100.20")
    client.get(f"/children/{world.child.pk}/journal")
    assert AuditEvent.objects.filter(
        action="journal.read",
        child_id=world.child.pk,
        actor_id=world.parent.pk,
        ip="198.51.100.20",
    ).exists()
    assert AuditEvent.objects.filter(action="login", actor_id=world.parent.pk).exists()
    client.get("/staff/")
    assert AuditEvent.objects.filter(action="refused.forbidden", actor_id=world.parent.pk).exists()


def test_audit_api_filters_by_child(world, api, web):
    web(world.parent).get(f"/children/{world.child.pk}/journal")
    web(world.other_parent).get(f"/children/{world.other_child.pk}/journal")
    path = f"/settings/{world.setting_a.pk}/audit"
    items = api(world.manager).get(path, child=str(world.child.pk)).json()["items"]
    # The parent's journal read and their consent answer, and nothing about Yasmin.
    assert {i["action"] for i in items} == {"journal.read", "consent.give"}
    assert {i["child_id"] for i in items} == {str(world.child.pk)}
    assert set(items[0]) == {
        "at",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "ip",
        "child_id",
        "device_id",  # the enrolled device a sign-in was bound to (D-3), else null
    }
    assert all(i["child_id"] == str(world.child.pk) for i in items)
    everything = api(world.manager).get(path).json()["items"]
    assert len(everything) > len(items)
    by_person = api(world.manager).get(path, actor=str(world.parent.pk)).json()["items"]
    assert "journal.read" in {i["action"] for i in by_person}
    # A sign-in is recorded for each setting the person belongs to (here, as the parent
    # of its child), and for no other (issue 8, finding 1).
    assert "login" in {i["action"] for i in by_person}
    other_path = f"/settings/{world.setting_b.pk}/audit"
    elsewhere = api(world.other_manager).get(other_path).json()["items"]
    assert str(world.parent.pk) not in {i["actor_id"] for i in elsewhere}
    assert api(world.key_person).get(path).json()["code"] == "forbidden"
    assert api(world.parent).get(path).status_code == 404
    assert api(world.other_manager).get(path).status_code == 404
    assert api(world.manager).get(path, child=str(world.far_child.pk)).status_code == 404


def test_audit_page_three_people(world, web):
    web(world.parent).get(f"/children/{world.child.pk}/journal")
    client = web(world.manager)
    page = client.get("/audit/", {"child": str(world.child.pk)}).content.decode()
    assert "Opened a child&#x27;s journal" in page and "Pat Parent" in page
    assert "journal.read" not in page
    page = client.get("/audit/", {"person": str(world.other_parent.pk)}).content.decode()
    assert "Pat Parent" not in page.split("<tbody>")[1]
    assert "Nothing recorded" in client.get("/audit/", {"since": "2099-01-01"}).content.decode()
    assert web(world.key_person).get("/audit/").status_code == 403
    assert web(world.parent).get("/audit/").status_code == 403
    other = web(world.other_manager).get("/audit/").content.decode()
    assert "Pat Parent" not in other and "Xander" not in other


def test_uncleared_leader_cannot_read_the_audit_trail(db, web):
    setting = f.SettingFactory()
    manager = f.staff(setting, "manager", cleared=False)
    assert web(manager).get("/audit/").status_code == 403

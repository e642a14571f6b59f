"""The leaving form on the child's profile (L-1) and the receiving setting's pages for
transfers (L-2): a confirmation that says what will happen, change and cancel before
the date, incoming children on Today and the Transfers page, accept and decline."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.leaving.models import Leaving, Transfer


@pytest.fixture
def pw(world):
    w = world
    w.receiving_practitioner = f.staff(w.setting_b, "practitioner", name="Pia Prac")
    w.soon = timezone.localdate() + timedelta(days=7)
    return w


def _offer(w, leaving_on=None, child=None):
    from acorn.leaving.services import leaving_record

    leaving_record(
        child=child or w.child,
        recorded_by=w.manager,
        leaving_on=leaving_on or w.soon,
        destination_setting_id=w.setting_b.pk,
    )
    return Transfer.objects.get(child=child or w.child, status="offered")


def test_profile_offers_record_leaving_to_session_leaders_only(web, pw):
    url = f"/children/{pw.child.pk}/"
    assert f"/children/{pw.child.pk}/leaving" in web(pw.manager).get(url).content.decode()
    assert f"/children/{pw.child.pk}/leaving" not in web(pw.key_person).get(url).content.decode()


def test_leader_finds_a_setting_confirms_and_a_transfer_is_offered(
    web, pw, django_capture_on_commit_callbacks
):
    client = web(pw.manager)
    url = f"/children/{pw.child.pk}/leaving"
    page = client.get(url, {"q": "birch"}).content.decode()
    assert "Birch Pre-school (on Acorn)" in page
    assert "Acorn Tree Nursery (on Acorn)" not in page  # never its own setting
    form = {"leaving_on": pw.soon.isoformat(), "destination": str(pw.setting_b.pk)}
    confirm = client.post(url, form)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Please check before you save" in text
    assert "Birch Pre-school uses Acorn" in text and "If they decline" in text
    assert not Leaving.objects.filter(child=pw.child).exists()  # nothing saved yet
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, {**form, "confirm": "1"})
    assert saved.status_code == 302
    leaving = Leaving.objects.get(child=pw.child)
    assert leaving.destination_setting_id == pw.setting_b.pk
    assert Transfer.objects.get(child=pw.child).status == "offered"
    assert [m.to for m in mail.outbox] == [[pw.other_manager.email]]


def test_somewhere_not_on_acorn_says_the_journal_will_be_deleted(web, pw):
    client = web(pw.manager)
    url = f"/children/{pw.child.pk}/leaving"
    form = {"leaving_on": pw.soon.isoformat(), "destination": "elsewhere"}
    missing_name = client.post(url, form)
    assert "Say where the child is going." in missing_name.content.decode()
    confirm = client.post(url, {**form, "destination_name": "Oak Primary"}).content.decode()
    assert "isn't on Acorn" in confirm and "deleted for good" in confirm
    client.post(url, {**form, "destination_name": "Oak Primary", "confirm": "1"})
    assert Leaving.objects.get(child=pw.child).destination_name == "Oak Primary"
    assert not Transfer.objects.filter(child=pw.child).exists()


def test_leaving_can_be_changed_or_cancelled_before_the_date(web, pw):
    transfer = _offer(pw)
    client = web(pw.manager)
    url = f"/children/{pw.child.pk}/leaving"
    page = client.get(url).content.decode()
    assert "waiting for their answer" in page
    client.post(
        url,
        {
            "leaving_on": pw.soon.isoformat(),
            "destination": "elsewhere",
            "destination_name": "Oak Primary",
            "confirm": "1",
        },
    )
    assert Transfer.objects.get(pk=transfer.pk).status == "withdrawn"
    response = client.post(f"{url}/cancel")
    assert response.status_code == 302
    assert not Leaving.objects.filter(child=pw.child).exists()
    assert Child.objects.get(pk=pw.child.pk).status == "active"


def test_after_the_leaving_date_the_form_is_closed(web, pw, time_machine):
    from acorn.leaving.services import leaving_record

    leaving_record(
        child=pw.child, recorded_by=pw.manager, leaving_on=pw.soon, destination_name="Oak Primary"
    )
    time_machine.move_to(timezone.now() + timedelta(days=8))
    client = web(pw.manager)
    page = client.get(f"/children/{pw.child.pk}/leaving").content.decode()
    assert "can't be changed" in page and 'name="leaving_on"' not in page
    client.post(f"/children/{pw.child.pk}/leaving/cancel")
    assert Leaving.objects.filter(child=pw.child).exists()


def test_other_settings_and_practitioners_cannot_open_the_leaving_form(web, pw):
    url = f"/children/{pw.child.pk}/leaving"
    assert web(pw.other_manager).get(url).status_code == 404
    assert web(pw.key_person).get(url).status_code == 403
    assert web(pw.parent).get(url).status_code == 403


def test_receiving_leaders_see_incoming_children_on_today_and_transfers(web, pw):
    transfer = _offer(pw)
    client = web(pw.other_manager)
    today = client.get("/dashboard/").content.decode()
    assert "Children joining from other settings" in today
    assert "Xander Young" in today and f"/transfers/{transfer.pk}/" in today
    listing = client.get("/transfers/").content.decode()
    assert "Xander Young" in listing and "Waiting for your answer" in listing
    # The sending setting's Today shows no such thing, and its practitioners can't open it.
    assert (
        "Children joining from other settings"
        not in web(pw.manager).get("/dashboard/").content.decode()
    )
    assert web(pw.receiving_practitioner).get("/transfers/").status_code == 403
    assert web(pw.receiving_practitioner).get(f"/transfers/{transfer.pk}/").status_code == 403
    assert web(pw.manager).get(f"/transfers/{transfer.pk}/").status_code == 404
    assert web(pw.parent).get(f"/transfers/{transfer.pk}/").status_code == 403


def test_transfers_page_makes_the_same_queries_for_one_child_or_five(
    web, pw, django_assert_max_num_queries
):
    client = web(pw.other_manager)
    _offer(pw)
    client.get("/transfers/")
    with django_assert_max_num_queries(30) as one:
        client.get("/transfers/")
    for n in range(4):
        child = f.ChildFactory(
            setting=pw.setting_a, first_name=f"Extra{n}", key_person=pw.key_person
        )
        _offer(pw, child=child)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/transfers/")
    assert response.content.decode().count("Waiting for your answer") == 5


def test_receiving_leader_accepts_on_the_web_choosing_a_key_person(web, pw):
    transfer = _offer(pw, leaving_on=timezone.localdate())
    client = web(pw.other_manager)
    page = client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert "Pia Prac" in page and "Accept Xander" in page
    refused = client.post(
        f"/transfers/{transfer.pk}/accept", {"key_person_id": str(pw.key_person.pk)}
    )
    assert refused.status_code == 422  # not one of their staff
    response = client.post(
        f"/transfers/{transfer.pk}/accept", {"key_person_id": str(pw.receiving_practitioner.pk)}
    )
    assert response.status_code == 302 and response.url == f"/children/{pw.child.pk}/"
    child = Child.objects.get(pk=pw.child.pk)
    assert (child.setting_id, child.key_person_id) == (
        pw.setting_b.pk,
        pw.receiving_practitioner.pk,
    )
    assert "Xander Young" in client.get(response.url).content.decode()


def test_receiving_leader_declines_on_the_web_with_a_reason(
    web, pw, django_capture_on_commit_callbacks
):
    transfer = _offer(pw)
    client = web(pw.other_manager)
    empty = client.post(f"/transfers/{transfer.pk}/decline", {"reason": ""})
    assert empty.status_code == 422
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/transfers/{transfer.pk}/decline", {"reason": "We're full."})
    assert response.status_code == 302
    assert Transfer.objects.get(pk=transfer.pk).status == "declined"
    assert [m.to for m in mail.outbox] == [[pw.manager.email]]
    closed = client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert "This transfer is closed" in closed and "Xander" not in closed
    # The sending leader reads the reason on the child's leaving page.
    assert (
        "We&#x27;re full."
        in web(pw.manager).get(f"/children/{pw.child.pk}/leaving").content.decode()
    )

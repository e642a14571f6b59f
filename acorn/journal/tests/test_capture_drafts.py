"""Unsent work on the capture page and "add something from home" belongs to one person:
saved on the server as they type, offered back only to them (saying who it's about and
when it was written), never filled in silently, and never an entry anywhere."""

import time_machine

from acorn.core.tests import factories as f
from acorn.journal.models import CaptureDraft, Observation


def _autosave(client, **fields):
    data = {"capture": "new", "client_ref": "attempt-1", "text": "", **fields}
    return client.post("/observations/unsent", data)


def test_what_a_practitioner_types_is_saved_as_their_own_draft(world, web):
    kate = web(world.key_person)
    response = _autosave(kate, text="Xander was upset at drop-off.", children=[str(world.child.pk)])
    assert response.status_code == 200
    draft = CaptureDraft.objects.get()
    assert draft.author == world.key_person
    assert draft.text == "Xander was upset at drop-off."
    assert draft.child_ids == [str(world.child.pk)]
    # It is not an entry: no observation exists, so no journal, feed or count shows it.
    assert Observation.objects.count() == 0


def test_another_person_on_the_capture_page_gets_no_trace_of_someone_elses_draft(world, web):
    _autosave(
        web(world.key_person),
        text="Xander was upset at drop-off; mum mentioned changes at home.",
        children=[str(world.child.pk)],
    )
    tom = f.staff(world.setting_a, "practitioner", name="Tom Hughes", email="tom@a.test")
    page = web(tom).get("/observations/new")
    assert page.status_code == 200
    body = page.content.decode()
    assert "upset at drop-off" not in body
    assert "Not sent yet" not in body
    assert "brought back" not in body
    assert 'checked id="child-' not in body and " checked>" not in body


def test_someone_elses_draft_cannot_be_resumed_or_discarded(world, web):
    _autosave(web(world.key_person), text="Private words.", children=[str(world.child.pk)])
    draft = CaptureDraft.objects.get()
    tom = web(f.staff(world.setting_a, "practitioner", name="Tom Hughes", email="tom@a.test"))
    assert tom.get(f"/observations/new?resume={draft.pk}").status_code == 404
    assert tom.post(f"/observations/unsent/{draft.pk}/discard").status_code == 404
    assert CaptureDraft.objects.filter(pk=draft.pk).exists()
    # The same attempt reference from another person makes their own, separate draft.
    _autosave(tom, text="Tom's own words.", client_ref="attempt-1")
    assert CaptureDraft.objects.get(pk=draft.pk).text == "Private words."
    assert CaptureDraft.objects.count() == 2


def test_unsent_draft_is_offered_with_who_and_when_and_children_are_not_ticked(world, web):
    kate = web(world.key_person)
    with time_machine.travel("2026-03-04 10:42 +00:00", tick=False):
        _autosave(kate, text="Xander poured water.", children=[str(world.child.pk)])
    with time_machine.travel("2026-03-04 11:00 +00:00", tick=False):
        page = kate.get("/observations/new")
    body = page.content.decode()
    assert "Not sent yet" in body
    assert "About Xander Y." in body
    assert "today at 10:42" in body
    assert "Xander poured water." in body
    # Offered, not restored: the picker has nothing chosen and the text box is empty.
    assert f'value="{world.child.pk}" id="child-{world.child.pk}" checked' not in body
    assert page.context["form"]["text"].value() in (None, "")


def test_carrying_on_fills_the_form_and_says_what_is_being_restored(world, web):
    kate = web(world.key_person)
    _autosave(
        kate,
        text="Xander poured water.",
        children=[str(world.child.pk)],
        areas=["PD"],
        next_steps="More jugs.",
    )
    draft = CaptureDraft.objects.get()
    page = kate.get(f"/observations/new?resume={draft.pk}")
    body = page.content.decode()
    assert "You're carrying on with what you hadn't sent about Xander Y." in body
    assert f'value="{world.child.pk}" id="child-{world.child.pk}" checked' in body
    assert page.context["form"]["text"].value() == "Xander poured water."
    assert page.context["form"]["client_ref"].value() == "attempt-1"


def test_publishing_ends_the_unsent_draft(world, web):
    kate = web(world.key_person)
    _autosave(kate, text="Xander poured water.", children=[str(world.child.pk)])
    response = kate.post(
        "/observations/new",
        {
            "children": [str(world.child.pk)],
            "text": "Xander poured water.",
            "observed_on": "2026-01-05",
            "client_ref": "attempt-1",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    assert not CaptureDraft.objects.exists()
    # A late autosave of the same attempt keeps nothing.
    _autosave(kate, text="Xander poured water.", children=[str(world.child.pk)])
    assert not CaptureDraft.objects.exists()


def test_discard_on_the_capture_page_throws_the_attempt_away(world, web):
    kate = web(world.key_person)
    _autosave(kate, text="Written in error.", children=[str(world.child.pk)])
    response = kate.post(
        "/observations/new",
        {"client_ref": "attempt-1", "action": "discard"},
        HTTP_X_ACORN_CAPTURE="1",
    )
    assert response.json() == {"redirect": "/observations/new"}
    assert not CaptureDraft.objects.exists()
    assert Observation.objects.count() == 0


def test_discard_an_offered_draft(world, web):
    kate = web(world.key_person)
    _autosave(kate, text="Old attempt.", children=[str(world.child.pk)])
    draft = CaptureDraft.objects.get()
    response = kate.post(f"/observations/unsent/{draft.pk}/discard")
    assert response.status_code == 302
    assert not CaptureDraft.objects.exists()


def test_autosave_keeps_only_children_of_the_setting_and_own_uploads(world, web):
    kate = web(world.key_person)
    _autosave(
        kate,
        text="Words.",
        children=[str(world.child.pk), str(world.far_child.pk), "not-an-id"],
        media_ids="not-an-id,00000000-0000-0000-0000-000000000000",
    )
    draft = CaptureDraft.objects.get()
    assert draft.child_ids == [str(world.child.pk)]
    assert draft.media_ids == []


def test_staff_of_another_setting_and_parents_cannot_autosave_a_capture_page(world, web):
    response = _autosave(web(world.parent), text="Hello")
    assert response.status_code == 403
    assert not CaptureDraft.objects.exists()


def test_an_empty_attempt_keeps_nothing(world, web):
    kate = web(world.key_person)
    _autosave(kate, text="Something.")
    _autosave(kate, text="   ")
    assert not CaptureDraft.objects.exists()


def test_parents_something_from_home_is_their_own_draft(world, web):
    pat = web(world.parent)
    capture = f"contribute-{world.child.pk}"
    response = _autosave(pat, capture=capture, text="We went to the beach.")
    assert response.status_code == 200
    draft = CaptureDraft.objects.get()
    assert draft.kind == "contribution" and draft.child == world.child
    assert Observation.objects.count() == 0  # not a contribution waiting for staff

    page = pat.get(f"/children/{world.child.pk}/contribute").content.decode()
    assert "About Xander" in page and "We went to the beach." in page

    # Another child's parent can neither save on that page nor see the draft.
    other = web(world.other_parent)
    assert _autosave(other, capture=capture, text="x").status_code == 404
    assert other.get(f"/children/{world.child.pk}/contribute").status_code == 404
    assert other.get(f"/observations/new?resume={draft.pk}").status_code in (403, 404)


def test_sign_in_and_sign_out_clear_what_the_browser_kept(world, web):
    from django.test import Client

    client = Client()
    response = client.post("/sign-in/", {"email": world.key_person.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
    # The session cookie set on the same response still works.
    assert client.get("/observations/new").status_code == 200
    response = client.post("/sign-out/")
    assert response["Clear-Site-Data"] == '"storage"'


def test_sign_out_everywhere_clears_what_the_browser_kept(world, web):
    kate = web(world.key_person)
    response = kate.post("/sign-out-everywhere/")
    assert response["Clear-Site-Data"] == '"storage"'


def test_capture_page_gives_its_script_a_key_for_this_person_only(world, web):
    kate_page = web(world.key_person).get("/observations/new").content.decode()
    tom = f.staff(world.setting_a, "practitioner", name="Tom Hughes", email="tom@a.test")
    tom_page = web(tom).get("/observations/new").content.decode()

    def owner(body):
        return body.split('data-owner="')[1].split('"')[0]

    assert owner(kate_page) and owner(kate_page) != owner(tom_page)


def test_an_idle_session_ending_clears_what_the_browser_kept(world, web):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        kate = web(world.key_person)
        traveller.shift(timedelta(minutes=16))
        response = kate.get("/observations/new")
        assert response.status_code == 302
        assert response["Clear-Site-Data"] == '"storage"'

"""Every write path of the journal follows the rules of create (issue 8, "make the classes
impossible").

Each write, on the web and in the API (create, edit, delete, approve and reject a
contribution, reply, upload, change an entry's children, add or remove its photos, change
who appears in a photo),
is tried by each person a rule refuses: uncleared staff (A-5), staff of another setting, a
parent of another child, a practitioner without key children outside session times or
with no session leader on duty (A-7), and off site (A-6), also while signed in through
another setting where they are a key person. Each is refused as create refuses them
(the same policy code), and nothing is written. The person the paths are for can do each
one, so a refusal here is the rule's and not a broken request.
"""

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from acorn.conftest import ApiClient, signed_in_client
from acorn.core.tests import factories as f
from acorn.journal.models import (
    Comment,
    MediaAppearance,
    MediaItem,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from acorn.journal.tests.helpers import stored_photo
from acorn.org.models import DutyPeriod

LONDON = ZoneInfo("Europe/London")
# Wednesday morning: a session is running and the manager is on duty.
SESSION_TIME = datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)
WEEKDAY_SESSIONS = [{"weekday": d, "start": "08:45", "end": "15:15"} for d in range(5)]
ON_SITE_NETWORK = "192.0.2.0/24"
OUTSIDE = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def clock():
    with time_machine.travel(SESSION_TIME, tick=True):
        yield


@pytest.fixture
def scene(clock, world):
    world.setting_a.session_times = WEEKDAY_SESSIONS
    world.setting_a.save()
    DutyPeriod.objects.create(setting=world.setting_a, leader=world.manager)
    return world


def _practitioner_without_key_children(world):
    return f.staff(world.setting_a, "practitioner", name="Hal Helper")


def _list_networks(setting):
    setting.on_site_networks = [ON_SITE_NETWORK]
    setting.save()


# Each persona: (person, request headers); the setting's rules are changed to suit.


def uncleared_staff(world):
    return f.staff(world.setting_a, "practitioner", cleared=False, name="Una New"), {}


def staff_of_another_setting(world):
    return world.other_manager, {}


def parent_of_another_child(world):
    return world.other_parent, {}


def outside_session_times(world):
    world.setting_a.session_times = [
        {"weekday": d, "start": "13:00", "end": "15:15"} for d in range(5)
    ]
    world.setting_a.save()
    return _practitioner_without_key_children(world), {}


def no_leader_on_duty(world):
    DutyPeriod.objects.filter(setting=world.setting_a).update(ended_at=timezone.now())
    return _practitioner_without_key_children(world), {}


def off_site(world):
    _list_networks(world.setting_a)
    return _practitioner_without_key_children(world), OUTSIDE


def off_site_through_another_setting(world):
    """Key person at another nursery (whose rules let them in from home), and a
    practitioner without key children here: here, they are off site."""
    person = _practitioner_without_key_children(world)
    elsewhere = f.SettingFactory(name="Aardvark Nursery")  # the setting they start in
    f.MembershipFactory(setting=elsewhere, user=person, role="practitioner")
    f.clear(person, elsewhere)
    f.ChildFactory(setting=elsewhere, key_person=person)
    _list_networks(world.setting_a)
    return person, OUTSIDE


# What create answers each persona: a policy refusal with its code, or "unknown" (the
# children and entries aren't theirs to know: 404, or 422 for a list of children).
PERSONAS = {
    "uncleared_staff": (uncleared_staff, "checks_incomplete"),
    "staff_of_another_setting": (staff_of_another_setting, None),
    "parent_of_another_child": (parent_of_another_child, None),
    "outside_session_times": (outside_session_times, "outside_session_times"),
    "no_leader_on_duty": (no_leader_on_duty, "outside_session_times"),
    "off_site": (off_site, "off_site"),
    # Off site for this setting but allowed in their other one: this setting's children
    # are out of reach (org.rules.require_on_site): a list of them is unknown (422), and
    # a write on one of its entries is refused as off site.
    "off_site_through_another_setting": (off_site_through_another_setting, "off_site?"),
}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def _entry_body(scene):
    return {
        "children": [str(scene.child.pk)],
        "text": "Poured water from jug to cup.",
        "observed_on": SESSION_TIME.date().isoformat(),
        "publish": True,
    }


# The write paths. Each takes a signed-in client and the scene's targets.

API_PATHS = {
    "create": lambda c, s: c.post("/observations", _entry_body(s)),
    "edit": lambda c, s: c.patch(f"/observations/{s.entry.pk}", {"text": "Rewritten"}),
    "change_children": lambda c, s: c.patch(
        f"/observations/{s.entry.pk}",
        {"children": [str(s.child.pk), str(s.other_child.pk)]},
    ),
    "change_appears": lambda c, s: c.patch(
        f"/observations/{s.entry.pk}",
        {"media": [{"id": str(s.photo.pk), "appears": [str(s.child.pk), str(s.other_child.pk)]}]},
    ),
    "add_photo": lambda c, s: c.patch(
        f"/observations/{s.entry.pk}",
        {"media": [{"id": str(s.photo.pk)}, {"id": str(s.upload.pk)}]},
    ),
    "remove_photo": lambda c, s: c.patch(f"/observations/{s.entry.pk}", {"media": []}),
    "delete": lambda c, s: c.delete(f"/observations/{s.entry.pk}"),
    "approve": lambda c, s: c.post(f"/observations/{s.contribution.pk}/approve"),
    "reject": lambda c, s: c.post(
        f"/observations/{s.contribution.pk}/reject", {"reason": "Not about Xander."}
    ),
    "reply": lambda c, s: c.post(f"/observations/{s.entry.pk}/comments", {"text": "Lovely!"}),
    "upload": lambda c, s: c.client.post(
        "/api/v1/media",
        {"file": SimpleUploadedFile("IMG_1.jpg", _jpeg()), "child": str(s.child.pk)},
        **c._headers(),
    ),
}

WEB_PATHS = {
    "create": lambda c, s: c.post(
        "/observations/new", {**_entry_body(s), "children": [str(s.child.pk)]}
    ),
    "edit": lambda c, s: c.post(
        f"/observations/{s.entry.pk}/edit",
        {
            "text": "Rewritten",
            "observed_on": SESSION_TIME.date().isoformat(),
        },
    ),
    "change_children": lambda c, s: _web_edit(c, s, children=[s.child, s.other_child]),
    "add_photo": lambda c, s: _web_edit(c, s, media=[s.photo, s.upload]),
    "remove_photo": lambda c, s: _web_edit(c, s, media=[]),
    "change_appears": lambda c, s: c.post(
        f"/media/{s.photo.pk}/appears", {"appears": [str(s.child.pk), str(s.other_child.pk)]}
    ),
    "delete": lambda c, s: c.post(f"/observations/{s.entry.pk}/delete"),
    "approve": lambda c, s: c.post(
        f"/observations/{s.contribution.pk}/decide", {"decision": "approve"}
    ),
    "reject": lambda c, s: c.post(
        f"/observations/{s.contribution.pk}/decide",
        {"decision": "reject", "reason": "Not about Xander."},
    ),
    "reply": lambda c, s: c.post(f"/observations/{s.entry.pk}/replies", {"text": "Lovely!"}),
    "upload": lambda c, s: c.post(
        "/media/upload",
        {"file": SimpleUploadedFile("IMG_1.jpg", _jpeg()), "child": str(s.child.pk)},
    ),
}


def _web_edit(client, scene, *, children=None, media=None):
    """The edit page as sent: its children, text and the uploader's list of photos."""
    children = children if children is not None else [scene.child]
    media = media if media is not None else [scene.photo]
    return client.post(
        f"/observations/{scene.entry.pk}/edit",
        {
            "children": [str(c.pk) for c in children],
            "children_shown": "True",
            "text": "Built a tower.",
            "observed_on": SESSION_TIME.date().isoformat(),
            "media_ids": ",".join(str(m.pk) for m in media),
        },
    )


def _targets(scene, person):
    """The entries the writes aim at. Staff of the setting aim at their own entry, so that
    nothing but the setting's rules stands in their way."""
    is_staff_here = person.memberships.filter(setting=scene.setting_a).exists()
    author = person if is_staff_here else scene.key_person
    scene.entry = f.observation(author=author, children=[scene.child], text="Built a tower.")
    scene.photo = stored_photo(
        setting=scene.setting_a, uploaded_by=author, observation=scene.entry, appears=[scene.child]
    )
    # A photo the writer has just uploaded, not yet in any entry.
    scene.upload = stored_photo(setting=scene.setting_a, uploaded_by=author)
    scene.contribution = f.observation(
        author=scene.parent, children=[scene.child], status="pending", by_parent=True
    )
    return scene


def _stored_files() -> list[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _journal_state():
    def rows(queryset, *fields):
        return sorted(str(row) for row in queryset.values_list(*fields))

    return {
        "observations": rows(
            Observation.objects,
            "pk",
            "text",
            "status",
            "observed_on",
            "updated_at",
            "decided_by",
        ),
        "children": rows(ObservationChild.objects, "observation_id", "child_id"),
        "media": rows(MediaItem.objects, "pk", "observation_id", "position"),
        "appears": rows(MediaAppearance.objects, "media_id", "child_id"),
        "replies": rows(Comment.objects, "pk"),
        "revisions": rows(ObservationRevision.objects, "pk"),
        "files": _stored_files(),
    }


def _code(response):
    if response.get("Content-Type", "").startswith("application/json"):
        return response.json().get("code")
    return None


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", API_PATHS)
def test_api_write_is_refused_as_create_is(scene, persona, path):
    make, code = PERSONAS[persona]
    person, headers = make(scene)
    _targets(scene, person)
    client = ApiClient(person, **headers)
    created = API_PATHS["create"](client, scene)
    before = _journal_state()

    response = API_PATHS[path](client, scene)

    if code is None:
        assert created.status_code == 422
        assert response.status_code in (404, 422), response.content
    elif code.endswith("?"):
        refusals = {(404, "not_found"), (422, "invalid"), (403, code[:-1])}
        assert (created.status_code, _code(created)) in refusals
        assert (response.status_code, _code(response)) in refusals, response.content
    else:
        assert (created.status_code, _code(created)) == (403, code)
        assert (response.status_code, _code(response)) == (403, code), response.content
    assert _journal_state() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", WEB_PATHS)
def test_web_write_is_refused_as_create_is(scene, persona, path):
    make, code = PERSONAS[persona]
    person, headers = make(scene)
    _targets(scene, person)
    client = signed_in_client(person, **headers)
    before = _journal_state()

    response = WEB_PATHS[path](client, scene)

    if path == "create":
        # The capture page shows its form again, saying why, or the refusal page.
        assert response.status_code in (200, 403, 404)
    elif code is None or code.endswith("?"):
        assert response.status_code in (403, 404)
    else:
        assert response.status_code == 403, (response.status_code, response.content[:300])
    assert _journal_state() == before


def uncleared_staff_parent(world):
    """Xander's dad, newly on the staff and not cleared yet: as a parent he may reply and
    add from home; as staff he may do nothing until his checks are recorded."""
    person = f.staff(world.setting_a, "practitioner", cleared=False, name="Dan Both")
    return f.parent_of(world.child, user=person), {}


STAFF_ONLY = (
    "edit",
    "change_children",
    "change_appears",
    "add_photo",
    "remove_photo",
    "delete",
    "approve",
    "reject",
)


@pytest.mark.parametrize("path", STAFF_ONLY)
def test_uncleared_staff_who_is_a_parent_cannot_do_staff_writes(scene, path):
    person, _ = uncleared_staff_parent(scene)
    _targets(scene, person)
    scene.entry.author = scene.key_person  # not theirs: as a parent they only read it
    scene.entry.save()
    api_client = ApiClient(person)
    before = _journal_state()
    response = API_PATHS[path](api_client, scene)
    if path in ("approve", "reject"):
        # Another family's contribution waiting for approval: as a parent, it isn't theirs
        # to know about.
        assert response.status_code == 404
    else:
        # Their own child's entry, which they read as a parent: told what is missing.
        assert (response.status_code, _code(response)) == (403, "checks_incomplete")
    if path in WEB_PATHS:
        assert WEB_PATHS[path](signed_in_client(person), scene).status_code in (403, 404)
    assert _journal_state() == before


@pytest.mark.parametrize("path", API_PATHS)
def test_api_write_succeeds_for_the_person_it_is_for(scene, path):
    person = _practitioner_without_key_children(scene)  # in session, leader on duty
    _targets(scene, person)
    before = _journal_state()
    response = API_PATHS[path](ApiClient(person), scene)
    assert response.status_code in (200, 201, 204), response.content
    assert _journal_state() != before


@pytest.mark.parametrize("path", WEB_PATHS)
def test_web_write_succeeds_for_the_person_it_is_for(scene, path):
    person = _practitioner_without_key_children(scene)
    _targets(scene, person)
    before = _journal_state()
    response = WEB_PATHS[path](signed_in_client(person), scene)
    assert response.status_code in (201, 302), response.content[:300]
    assert _journal_state() != before

"""One rich world and the personas that probe it (issue 8, "make the classes impossible").

The *target* of every probe is setting A ("Ash Tree Nursery") and its objects. The
personas are the people who should, or must not, reach them, including the ones an
outside review found breaking the rules: people who belong to two places at once.

Settings (sorted by name, which is how a person's first membership is chosen):

- "Alder House": where `dual_staff` is a key person.
- "Ash Tree Nursery" (A): the target. Networks are listed (10.0.0.0/8, so the off-site
  rule applies), session times Monday to Friday 08:45–15:15, the deputy is on duty.
- "Birch Pre-school" (B): another setting with its own manager, child and parent.
- "Cedar House": its manager has *invited* A's key person to join (not accepted).

The world is built at a fixed time, Wednesday 11 March 2026 10:00 in London (a session
is running); `practitioner_after_hours` probes at 19:30 the same day.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from acorn.core.tests import factories as f

LONDON = ZoneInfo("Europe/London")
WORLD_TIME = datetime(2026, 3, 11, 10, 0, tzinfo=LONDON)
AFTER_HOURS = datetime(2026, 3, 11, 19, 30, tzinfo=LONDON)
ON_SITE = "10.1.2.3"
OFF_SITE = "203.0.113.7"

# Surnames that appear nowhere else, so a leak of a child's full name is easy to spot.
CHILD_SURNAME = "Quillfeather"
OTHER_CHILD_SURNAME = "Marchbanks"
FAR_CHILD_SURNAME = "Oddingley"


@dataclass(frozen=True)
class Persona:
    name: str
    user: str | None  # attribute of the world, None for an anonymous visitor
    address: str = ON_SITE
    at: datetime | None = None  # probe at this time instead of the world's
    works_in: str | None = None  # the setting chosen on the web ("switch setting")
    # Surnames this persona must never be shown in full, on any answer.
    never_sees: tuple[str, ...] = ()
    # Parents never see the staff controls of an entry (edit, delete, who appears).
    sees_staff_controls: bool = True


PERSONAS = {
    p.name: p
    for p in (
        Persona("anonymous", None, never_sees=(CHILD_SURNAME, OTHER_CHILD_SURNAME)),
        Persona("manager", "manager"),
        Persona("deputy", "deputy"),
        Persona("key_person", "key_person"),
        Persona("practitioner", "practitioner"),
        Persona("practitioner_off_site", "practitioner", address=OFF_SITE),
        Persona("practitioner_after_hours", "practitioner", at=AFTER_HOURS),
        Persona("parent", "parent", sees_staff_controls=False, never_sees=(OTHER_CHILD_SURNAME,)),
        Persona(
            "other_parent", "other_parent", sees_staff_controls=False, never_sees=(CHILD_SURNAME,)
        ),
        # A parent of the child who is also a (not yet cleared) practitioner in A.
        Persona(
            "parent_uncleared_staff",
            "parent_staff",
            sees_staff_controls=False,
            never_sees=(OTHER_CHILD_SURNAME,),
        ),
        Persona(
            "staff_other_setting", "manager_b", never_sees=(CHILD_SURNAME, OTHER_CHILD_SURNAME)
        ),
        # Practitioner in A, key person in Alder House, working in Alder, from home.
        Persona(
            "dual_staff",
            "dual_staff",
            address=OFF_SITE,
            works_in="setting_alder",
            never_sees=(CHILD_SURNAME, OTHER_CHILD_SURNAME),
        ),
        # Cedar House's manager, who invited A's key person (not accepted).
        Persona("inviter", "inviter", never_sees=(CHILD_SURNAME, OTHER_CHILD_SURNAME)),
    )
}


def png_bytes(colour=(200, 120, 40)) -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _ready_photo(uploader, setting):
    from acorn.journal.media import media_process, media_upload

    item = media_upload(uploader=uploader, setting=setting, uploaded_file=png_upload())
    media_process(item.pk)
    item.refresh_from_db()
    assert item.status == "ready", item.failure_message
    return item


def build_world() -> SimpleNamespace:
    """Everything the matrix probes. Call inside a transaction at WORLD_TIME."""
    from acorn.accounts.services import invitation_create
    from acorn.children.services import child_photo_set
    from acorn.journal import services as journal
    from acorn.org.models import DutyPeriod, Membership
    from acorn.org.services import staff_invite

    setting_alder = f.SettingFactory(name="Alder House")
    setting_a = f.SettingFactory(
        name="Ash Tree Nursery",
        on_site_networks=["10.0.0.0/8"],
        session_times=[{"weekday": d, "start": "08:45", "end": "15:15"} for d in range(5)],
    )
    setting_b = f.SettingFactory(name="Birch Pre-school")
    setting_cedar = f.SettingFactory(name="Cedar House")

    manager = f.staff(setting_a, "manager", name="Mia Manager")
    second_manager = f.staff(setting_a, "manager", name="Max Manager")
    deputy = f.staff(setting_a, "deputy", name="Dee Deputy")
    key_person = f.staff(setting_a, "practitioner", name="Kate Key")
    practitioner = f.staff(setting_a, "practitioner", name="Pip Practitioner")
    DutyPeriod.objects.create(setting=setting_a, leader=deputy, started_by=deputy)

    child = f.ChildFactory(
        setting=setting_a, first_name="Xander", last_name=CHILD_SURNAME, key_person=key_person
    )
    other_child = f.ChildFactory(
        setting=setting_a,
        first_name="Yasmin",
        last_name=OTHER_CHILD_SURNAME,
        key_person=key_person,
    )
    parent = f.parent_of(child, name="Pat Parent")
    # Yasmin's parent said no to photos in other children's journals.
    other_parent = f.parent_of(other_child, name="Olly Other", consent=False)
    # Xander's other parent also works in A, suitability checks not yet recorded.
    parent_staff = f.parent_of(child, name="Sam Both")
    Membership.objects.create(user=parent_staff, setting=setting_a, role="practitioner")

    manager_b = f.staff(setting_b, "manager", name="Bea Boss")
    far_child = f.ChildFactory(
        setting=setting_b, first_name="Zoe", last_name=FAR_CHILD_SURNAME, key_person=manager_b
    )
    far_parent = f.parent_of(far_child, name="Fern Far")

    dual_staff = f.staff(setting_alder, "practitioner", name="Dana Dual")
    f.ChildFactory(setting=setting_alder, first_name="Ada", key_person=dual_staff)
    Membership.objects.create(user=dual_staff, setting=setting_a, role="practitioner")
    f.clear(dual_staff, setting_a)

    inviter = f.staff(setting_cedar, "manager", name="Cora Cedar")
    staff_invite(
        setting=setting_cedar,
        email=key_person.email,
        name="Kate Key",
        role="practitioner",
        invited_by=inviter,
    )

    # A published group entry with a group photo showing both children (Yasmin has no
    # consent, so of the families only hers sees it), a draft, a parent's contribution
    # waiting for approval, a reply, Xander's portrait and an open invitation.
    group_photo = _ready_photo(key_person, setting_a)
    entry = journal.observation_create(
        author=key_person,
        children=[child, other_child],
        text=f"Xander and Yasmin {OTHER_CHILD_SURNAME} built a den together.",
        observed_on=WORLD_TIME.date(),
        areas=["PSED"],
        publish=True,
        media=[journal.MediaChoice(media=group_photo, appears=[child, other_child])],
    )
    # The earlier version (with Yasmin's full name) is kept as a revision, for staff.
    entry = journal.observation_update(
        observation=entry, editor=key_person, text="Built a den together."
    )
    draft = journal.observation_create(
        author=key_person,
        children=[child],
        text="Draft about painting.",
        observed_on=WORLD_TIME.date(),
        publish=False,
    )
    contribution = journal.observation_create(
        author=parent,
        children=[child],
        text="Baked bread at home.",
        observed_on=WORLD_TIME.date() - timedelta(days=1),
    )
    reply = journal.comment_add(observation=entry, author=parent, text="Lovely!", child=child)
    child_photo_set(child=child, uploaded_file=png_upload("portrait.png"), set_by=key_person)
    child.refresh_from_db()
    portrait = child.photo
    if portrait.status != "ready":
        from acorn.journal.media import media_process

        media_process(portrait.pk)
        portrait.refresh_from_db()

    _invitation, invitation_token = invitation_create(
        setting=setting_a,
        email="gran@example.test",
        name="Gran",
        role="parent",
        child=child,
        invited_by=key_person,
    )
    key_person_membership = key_person.memberships.get(setting=setting_a)

    # Setting A's devices (D-1, D-2): one on the shelf, one the key person has asked to
    # take home (waiting for a leader's signature), and one out with her now.
    from acorn.devices import services as devices

    device = devices.device_register(
        setting=setting_a, name="Room 1 iPad", kind="tablet", registered_by=manager
    )
    back_tomorrow = WORLD_TIME + timedelta(days=1)
    waiting_device = devices.device_register(
        setting=setting_a, name="Room 2 iPad", kind="tablet", registered_by=manager
    )
    signout_waiting = devices.signout_request(
        device=waiting_device,
        person=key_person,
        reason="Writing up at home.",
        expected_back=back_tomorrow,
        signature_name="Kate Key",
    )
    out_device = devices.device_register(
        setting=setting_a, name="Garden camera", kind="camera", registered_by=manager
    )
    signout_out = devices.signout_request(
        device=out_device,
        person=key_person,
        reason="Forest school trip.",
        expected_back=back_tomorrow,
        signature_name="Kate Key",
    )
    signout_out = devices.signout_authorise(
        signout=signout_out, leader=manager, signature_name="Mia Manager"
    )

    # Setting A's spring term, and the key person's unsent capture draft.
    from acorn.eyfs.services import term_create

    term = term_create(
        setting=setting_a,
        name="Spring 2026",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 3, 31),
        created_by=manager,
    )
    unsent_draft = journal.capture_draft_save(
        author=key_person,
        setting=setting_a,
        kind="observation",
        client_ref="matrix-unsent",
        text="Half-written note about the sandpit.",
        child_ids=[str(child.pk)],
    )
    return SimpleNamespace(**locals())


def web_client(world, persona: Persona) -> Client:
    """A browser signed in as the persona (the session the sign-in page would make)."""
    import time

    from acorn.accounts.reauth import SESSION_KEY

    client = Client(REMOTE_ADDR=persona.address)
    if persona.user is None:
        return client
    user = getattr(world, persona.user)
    client.force_login(user, backend="acorn.accounts.backends.EmailBackend")
    session = client.session
    now = time.time()
    session["acorn_auth_at"] = now
    session["acorn_last_seen"] = now
    session[SESSION_KEY] = now
    if persona.works_in:
        session["acorn_setting"] = str(getattr(world, persona.works_in).pk)
    session.save()
    return client


def api_headers(world, persona: Persona) -> dict:
    """Request headers for the API: a fresh bearer token, as after POST /auth/token."""
    headers = {"REMOTE_ADDR": persona.address}
    if persona.user is None:
        return headers
    from acorn.accounts.services import token_issue

    _token, raw = token_issue(user=getattr(world, persona.user))
    headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return headers


def as_of(persona: Persona):
    return persona.at or WORLD_TIME


def today() -> date:
    return WORLD_TIME.date()

"""L-2: a child's transfer to another setting on this installation. The receiving
setting's session leaders accept (choosing a key person) or decline; on acceptance
everything of the child moves, nothing of any other child leaks, the family keeps its
access, and group entries stay whole at the sending setting."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from acorn.audit.models import AuditEvent
from acorn.children.models import Child, ImageConsent, ParentLink
from acorn.core.tests import factories as f
from acorn.eyfs.models import Assessment, Judgement, JudgementScale, Term
from acorn.journal.models import (
    CaptureDraft,
    Comment,
    MediaAppearance,
    MediaItem,
    ObscuredFace,
    Observation,
    ObservationChild,
    ObservationRevision,
    SharedRendition,
)
from acorn.journal.tests.helpers import files_of, stored_photo
from acorn.leaving import services
from acorn.leaving.models import Leaving, Transfer
from acorn.org.models import Membership
from acorn.reports.models import Report

OTHER_NAMES = ("Yasmin", "Zed", "Rose", "Quill")


def _obscured(item, child):
    """Give a stored photo a shared rendition that covers `child`'s face (as the worker
    does once staff have marked it)."""
    for name in ("shared_display.jpg", "shared_thumb.webp"):
        default_storage.save(
            f"{item.storage_prefix}/{name}", ContentFile(b"blurred " + name.encode())
        )
    copy = SharedRendition.objects.create(
        media=item, renditions={"display": "shared_display.jpg", "thumb": "shared_thumb.webp"}
    )
    item.faces = [
        {"box": [0.1, 0.1, 0.2, 0.2], "child": str(child.pk), "found": True},
        {"box": [0.5, 0.1, 0.2, 0.2], "child": None, "found": True},
    ]
    item.save(update_fields=["faces"])
    ObscuredFace.objects.create(media=item, rendition=copy, child=child)


@pytest.fixture
def tw(world, django_capture_on_commit_callbacks):
    """Acorn Tree Nursery (S) sends Xander Young to Birch Pre-school (R)."""
    w = world
    w.sending, w.receiving = w.setting_a, w.setting_b
    w.rose = f.ChildFactory(
        setting=w.sending, first_name="Rose", last_name="Quill", key_person=w.key_person
    )
    w.rose_parent = f.parent_of(w.rose, name="Rita Quill", consent=False)
    w.receiving_deputy = f.staff(w.receiving, "deputy", name="Dora Deputy")
    w.receiving_practitioner = f.staff(w.receiving, "practitioner", name="Pia Prac")
    w.receiving_uncleared = f.staff(w.receiving, "practitioner", name="Una Cleared", cleared=False)
    # A manager of the sending setting who is also a practitioner at the receiving one.
    w.dual = f.staff(w.sending, "manager", name="Dual Person")
    Membership.objects.create(user=w.dual, setting=w.receiving, role="practitioner")
    f.clear(w.dual, w.receiving)
    w.third = f.SettingFactory(name="Cedar House")
    w.third_manager = f.staff(w.third, "manager", name="Cora Cedar")
    # ... who has been invited to manage the receiving setting too, and hasn't accepted.
    from acorn.org.services import staff_invite

    staff_invite(
        setting=w.receiving,
        email=w.third_manager.email,
        name="Cora Cedar",
        role="manager",
        invited_by=w.other_manager,
    )

    x, y, r = w.child, w.other_child, w.rose
    # Xander's own entry: text naming others, an edit history, a reply; one photo of him
    # alone and one with Rose (no consent, face not marked), which must stay behind.
    w.own = f.observation(
        author=w.key_person,
        children=[x],
        text="Xander painted next to Yasmin Zed and Rose.",
        next_steps="Paint with Rose Quill again.",
    )
    ObservationRevision.objects.create(
        observation=w.own,
        edited_by=w.key_person,
        text="Xander and Yasmin painted.",
        observed_on=w.own.observed_on,
        child_ids=[str(x.pk), str(y.pk)],
    )
    w.own_photo = stored_photo(
        setting=w.sending, uploaded_by=w.key_person, observation=w.own, appears=[x]
    )
    w.own_photo_with_rose = stored_photo(
        setting=w.sending, uploaded_by=w.key_person, observation=w.own, appears=[x, r]
    )
    w.own_reply = Comment.objects.create(
        observation=w.own, child=x, author=w.parent, text="Yasmin told us too!"
    )
    # A group entry about all three, with three photos: Xander and Yasmin (consent), Xander
    # and Rose with Rose's face obscured, and Xander and Rose unmarked.
    w.group = f.observation(
        author=w.key_person,
        children=[x, y, r],
        text="Xander, Yasmin Zed and Rose Quill built a den.",
    )
    w.photo_with_yasmin = stored_photo(
        setting=w.sending, uploaded_by=w.key_person, observation=w.group, appears=[x, y]
    )
    w.photo_obscured = stored_photo(
        setting=w.sending, uploaded_by=w.key_person, observation=w.group, appears=[x, r]
    )
    _obscured(w.photo_obscured, r)
    w.photo_unmarked = stored_photo(
        setting=w.sending, uploaded_by=w.key_person, observation=w.group, appears=[x, r]
    )
    w.group_reply = Comment.objects.create(
        observation=w.group, child=x, author=w.parent, text="Was Rose there?"
    )
    w.other_family_reply = Comment.objects.create(
        observation=w.group, child=y, author=w.other_parent, text="Yasmin loved it."
    )
    # A contribution from home waiting, a staff draft, a capture draft with two children.
    w.contribution = f.observation(
        author=w.parent, children=[x], text="Baked bread.", status="pending", by_parent=True
    )
    w.staff_draft = f.observation(
        author=w.key_person, children=[x], text="Half a thought.", status="draft"
    )
    w.capture = CaptureDraft.objects.create(
        author=w.key_person,
        setting=w.sending,
        kind="observation",
        client_ref="t1",
        text="Sandpit.",
        child_ids=[str(x.pk), str(y.pk)],
    )
    # The parent's unsent contribution, with a photo uploaded for it.
    w.parent_upload = stored_photo(setting=w.sending, uploaded_by=w.parent)
    w.parent_draft = CaptureDraft.objects.create(
        author=w.parent,
        setting=w.sending,
        kind="contribution",
        child=x,
        client_ref="p1",
        text="At the park.",
        media_ids=[str(w.parent_upload.pk)],
    )
    # An assessment on the sending setting's own scale, and a report with a photo.
    JudgementScale.objects.create(
        setting=w.sending,
        levels=[
            {"value": "secure", "label": "Secure", "on_track": True},
            {"value": "emerging", "label": "Emerging", "on_track": False},
        ],
    )
    w.term = Term.objects.create(
        setting=w.sending,
        name="Autumn 2026",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 18),
    )
    w.assessment = Assessment.objects.create(
        child=x, term=w.term, framework_id=_framework_id(), updated_by=w.key_person
    )
    Judgement.objects.create(
        assessment=w.assessment, area="PSED", value="emerging", note="Shares with Yasmin."
    )
    Judgement.objects.create(assessment=w.assessment, area="CL", value="on_track")
    today = timezone.localdate()
    w.report = Report.objects.create(
        setting=w.sending,
        child=x,
        kind="baseline",
        period_start=today - timedelta(days=40),
        period_end=today,
        sections=[{"area": "PSED", "judgement": "", "text": "Plays with Yasmin Zed."}],
        summary="Xander and Rose are friends.",
        photo_ids=[str(w.photo_with_yasmin.pk), str(w.photo_unmarked.pk), str(w.own_photo.pk)],
        author=w.key_person,
    )
    w.callbacks = django_capture_on_commit_callbacks
    return w


def _framework_id():
    from acorn.eyfs.selectors import current_framework

    return current_framework().pk


def offer(api, w, *, leaving_on=None):
    leaving_on = leaving_on or timezone.localdate()
    with w.callbacks(execute=True):
        response = api(w.manager).post(
            f"/children/{w.child.pk}/leaving",
            {"leaving_on": leaving_on.isoformat(), "destination_setting_id": str(w.receiving.pk)},
        )
    assert response.status_code == 200, response.content
    return Transfer.objects.get(child=w.child, status__in=Transfer.OPEN)


def accept(api, w, transfer, *, by=None, key_person=None):
    return api(by or w.other_manager).post(
        f"/transfers/{transfer.pk}/accept",
        {"key_person_id": str((key_person or w.receiving_practitioner).pk)},
    )


# --- Offer -------------------------------------------------------------------------------


def test_a_destination_on_acorn_is_offered_a_transfer_and_its_leaders_are_emailed(api, tw):
    mail.outbox.clear()
    transfer = offer(api, tw, leaving_on=timezone.localdate() + timedelta(days=5))
    assert transfer.to_setting == tw.receiving and transfer.status == "offered"
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted([tw.other_manager.email, tw.receiving_deputy.email])
    for message in mail.outbox:
        assert "Xander" not in message.body + message.subject
        assert "Young" not in message.body + message.subject
        assert f"/transfers/{transfer.pk}/" in message.body


def test_receiving_leaders_see_only_name_and_date_of_birth(api, tw):
    transfer = offer(api, tw, leaving_on=timezone.localdate() + timedelta(days=5))
    response = api(tw.other_manager).get(f"/settings/{tw.receiving.pk}/transfers")
    assert response.status_code == 200, response.content
    assert response.json()["items"] == [
        {
            "id": str(transfer.pk),
            "child": {"first_name": "Xander", "last_name": "Young", "date_of_birth": "2023-03-01"},
            "from_setting": {"id": str(tw.sending.pk), "name": "Acorn Tree Nursery"},
            "leaving_on": transfer.leaving_on.isoformat(),
            "status": "offered",
        }
    ]
    # Nothing more until the child arrives.
    assert api(tw.other_manager).get(f"/children/{tw.child.pk}").status_code == 404
    assert api(tw.other_manager).get(f"/children/{tw.child.pk}/journal").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("receiving_practitioner", 403),
        ("manager", 404),  # the sending setting's leader
        ("third_manager", 404),  # invited to lead the receiving setting, not accepted
        ("parent", 404),
        ("far_parent", 404),
        ("dual", 403),  # leader where the child is, practitioner where it's going
    ],
)
def test_only_receiving_leaders_list_transfers(api, tw, who, status):
    offer(api, tw, leaving_on=timezone.localdate() + timedelta(days=5))
    person = getattr(tw, who)
    response = api(person).get(f"/settings/{tw.receiving.pk}/transfers")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("receiving_practitioner", 403),
        ("receiving_uncleared", 403),
        ("manager", 404),
        ("third_manager", 404),
        ("parent", 404),
        ("dual", 403),
    ],
)
def test_who_may_not_accept_or_decline(api, tw, who, status):
    transfer = offer(api, tw)
    person = getattr(tw, who)
    assert accept(api, tw, transfer, by=person).status_code == status
    declined = api(person).post(f"/transfers/{transfer.pk}/decline", {"reason": "Full."})
    assert declined.status_code == status
    transfer.refresh_from_db()
    assert transfer.status == "offered"
    assert Child.objects.get(pk=tw.child.pk).setting_id == tw.sending.pk


def test_deputy_of_the_receiving_setting_accepts_as_a_manager_would(api, tw):
    transfer = offer(api, tw)
    response = accept(api, tw, transfer, by=tw.receiving_deputy)
    assert response.status_code == 200, response.content
    assert Child.objects.get(pk=tw.child.pk).setting_id == tw.receiving.pk


def test_key_person_must_be_cleared_staff_of_the_receiving_setting(api, tw):
    transfer = offer(api, tw)
    for wrong in (tw.receiving_uncleared, tw.key_person, tw.parent):
        response = accept(api, tw, transfer, key_person=wrong)
        assert response.status_code == 422, (wrong, response.content)
    assert Transfer.objects.get(pk=transfer.pk).status == "offered"


# --- Acceptance ---------------------------------------------------------------------------


def test_everything_arrives_and_nothing_of_another_child_leaks(api, tw):
    w = tw
    sending_prefixes = set(
        MediaItem.objects.filter(setting=w.sending).values_list("storage_prefix", flat=True)
    )
    transfer = offer(api, w)
    with w.callbacks(execute=True):
        response = accept(api, w, transfer)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    x = Child.objects.get(pk=w.child.pk)
    assert (x.setting_id, x.key_person_id, x.status) == (
        w.receiving.pk,
        w.receiving_practitioner.pk,
        "active",
    )
    assert x.backup_key_person_id is None and x.room == ""
    assert x.start_date == transfer.leaving_on  # reports fall due from their start here
    assert not Leaving.objects.filter(child=x).exists()

    # Entries: the own entry, the parent's contribution and a copy of the group entry
    # arrive; the staff draft doesn't (its author stays behind).
    arrived = Observation.objects.filter(setting=w.receiving, links__child=x)
    assert set(arrived.values_list("status", flat=True)) == {"published", "pending"}
    assert arrived.count() == 3
    assert not Observation.objects.filter(pk=w.staff_draft.pk).exists()
    own = Observation.objects.get(pk=w.own.pk)
    assert own.setting_id == w.receiving.pk
    assert own.text == "Xander painted next to Y.Z. and R.Q."
    copy = arrived.exclude(pk__in=[w.own.pk, w.contribution.pk]).get()
    assert copy.text == "Xander, Y.Z. and R.Q. built a den."

    # Media: his own photo moves; the photo with Yasmin (consent) is copied whole; Rose's
    # obscured photo travels as its shared rendition only; the rest stay out.
    assert MediaItem.objects.get(pk=w.own_photo.pk).setting_id == w.receiving.pk
    assert not MediaItem.objects.filter(pk=w.own_photo_with_rose.pk).exists()
    copies = list(MediaItem.objects.filter(observation=copy).order_by("created_at"))
    assert len(copies) == 2
    for item in copies:
        assert item.storage_prefix not in sending_prefixes
        assert set(
            MediaAppearance.objects.filter(media=item).values_list("child_id", flat=True)
        ) == {x.pk}
        assert all(face.get("child") in (None, str(x.pk)) for face in item.faces)
    obscured = [
        item
        for item in copies
        if item.mime == "image/jpeg" and "shared_display" not in item.renditions
    ]
    blurred = [
        item
        for item in copies
        if default_storage.open(f"{item.storage_prefix}/{item.original_name}").read()
        == b"blurred shared_display.jpg"
    ]
    assert len(blurred) == 1 and obscured
    assert files_of(blurred[0]) == ["display.jpg", "original.jpg", "thumb.webp"]
    assert blurred[0].faces == []  # Rose's mark is not Xander's, and it's blurred anyway

    # Nothing at the receiving setting names or points at another child.
    others = [w.other_child.pk, w.rose.pk]
    assert not ObservationChild.objects.filter(
        observation__setting=w.receiving, child_id__in=others
    ).exists()
    assert not MediaAppearance.objects.filter(
        media__setting=w.receiving, child_id__in=others
    ).exists()
    assert not ObscuredFace.objects.filter(media__setting=w.receiving).exists()
    assert set(
        Comment.objects.filter(observation__setting=w.receiving).values_list("child_id", flat=True)
    ) == {x.pk}
    texts = []
    for observation in Observation.objects.filter(setting=w.receiving):
        texts += [observation.text, observation.next_steps, observation.review_feedback]
    texts += list(
        Comment.objects.filter(observation__setting=w.receiving).values_list("text", flat=True)
    )
    texts += [
        r.text + r.next_steps + str(r.child_ids)
        for r in ObservationRevision.objects.filter(observation__setting=w.receiving)
    ]
    for report in Report.objects.filter(setting=w.receiving):
        texts += [report.summary, str(report.sections)]
    texts += list(Judgement.objects.filter(assessment__child=x).values_list("note", flat=True))
    for text in texts:
        for name in OTHER_NAMES:
            assert name not in text, (name, text)
        for other in others:
            assert str(other) not in text
    for item in MediaItem.objects.filter(setting=w.receiving):
        assert str(w.rose.pk) not in str(item.faces)
        assert str(w.other_child.pk) not in str(item.faces)

    # Replies: the family's thread travels, the other family's stays.
    assert Comment.objects.get(pk=w.group_reply.pk).observation_id == copy.pk
    assert Comment.objects.get(pk=w.group_reply.pk).text == "Was R.Q. there?"
    assert Comment.objects.get(pk=w.own_reply.pk).text == "Y.Z. told us too!"

    # Assessments keep their term and stay readable on the new setting's scale.
    assert Assessment.objects.get(pk=w.assessment.pk).child_id == x.pk
    notes = dict(Judgement.objects.filter(assessment=w.assessment).values_list("area", "note"))
    assert notes["PSED"] == "Judged “Emerging” at Acorn Tree Nursery. Shares with Y.Z."
    assert notes["CL"] == ""  # "on_track" means the same on the default scale
    assessments = api(w.other_manager).get(f"/children/{x.pk}/assessments")
    assert assessments.status_code == 200 and len(assessments.json()["items"]) == 1

    # The report moved, its photos those that travelled.
    report = Report.objects.get(pk=w.report.pk)
    assert report.setting_id == w.receiving.pk
    with_yasmin = next(item for item in copies if item not in blurred)
    assert report.photo_ids == [str(with_yasmin.pk), str(w.own_photo.pk)]

    # The family's unsent contribution follows them, with its photo.
    assert CaptureDraft.objects.get(pk=w.parent_draft.pk).setting_id == w.receiving.pk
    assert MediaItem.objects.get(pk=w.parent_upload.pk).setting_id == w.receiving.pk

    # Family: links, consent records and access continue.
    assert ParentLink.objects.filter(child=x, parent=w.parent).exists()
    assert ImageConsent.objects.filter(child=x, parent=w.parent).exists()
    journal = api(w.parent).get(f"/children/{x.pk}/journal")
    assert journal.status_code == 200, journal.content
    assert {item["id"] for item in journal.json()["items"]} >= {str(w.own.pk), str(copy.pk)}

    # The new setting's staff see the child; the old setting doesn't.
    assert api(w.other_manager).get(f"/children/{x.pk}").status_code == 200
    assert api(w.manager).get(f"/children/{x.pk}").status_code == 404
    assert api(w.key_person).get(f"/children/{x.pk}/journal").status_code == 404

    # Audit at both settings.
    assert AuditEvent.objects.filter(setting_id=w.sending.pk, action="child.transfer_out").exists()
    assert AuditEvent.objects.filter(setting_id=w.receiving.pk, action="child.transfer_in").exists()


def test_group_entries_stay_whole_at_the_sending_setting(api, tw):
    w = tw
    transfer = offer(api, w)
    with w.callbacks(execute=True):
        assert accept(api, w, transfer).status_code == 200
    group = Observation.objects.get(pk=w.group.pk)
    assert group.setting_id == w.sending.pk
    assert group.text == "Xander, Yasmin Zed and Rose Quill built a den."
    assert set(
        ObservationChild.objects.filter(observation=group).values_list("child_id", flat=True)
    ) == {
        w.other_child.pk,
        w.rose.pk,
    }
    assert MediaItem.objects.filter(observation=group).count() == 3
    for item in MediaItem.objects.filter(observation=group):
        assert files_of(item), item  # the files are untouched
    assert Comment.objects.filter(pk=w.other_family_reply.pk, observation=group).exists()
    # Yasmin's family still sees the entry, and its photos follow Xander's consent as before.
    journal = api(w.other_parent).get(f"/children/{w.other_child.pk}/journal")
    assert str(group.pk) in {item["id"] for item in journal.json()["items"]}
    # The sending setting keeps nothing else of the child.
    x = w.child.pk
    assert not ObservationChild.objects.filter(observation__setting=w.sending, child_id=x).exists()
    assert not Comment.objects.filter(observation__setting=w.sending, child_id=x).exists()
    assert not Report.objects.filter(setting=w.sending, child_id=x).exists()
    assert str(x) not in str(CaptureDraft.objects.get(pk=w.capture.pk).child_ids)
    assert not Observation.objects.filter(setting=w.sending, links__child_id=x).exists()
    assert not MediaItem.objects.filter(
        setting=w.sending, observation__isnull=True, pk=Child.objects.get(pk=x).photo_id
    ).exists()


def test_accepted_before_the_leaving_date_moves_on_that_date(api, tw, time_machine):
    w = tw
    leaving_on = timezone.localdate() + timedelta(days=3)
    transfer = offer(api, w, leaving_on=leaving_on)
    response = accept(api, w, transfer)
    assert response.json()["status"] == "accepted"
    # Until then the child is the sending setting's, still attending.
    assert Child.objects.get(pk=w.child.pk).setting_id == w.sending.pk
    assert api(w.key_person).get(f"/children/{w.child.pk}/journal").status_code == 200
    time_machine.move_to(timezone.now() + timedelta(days=3))
    mail.outbox.clear()
    outcome = services.leaving_apply_due(on=leaving_on)
    assert outcome["transferred"] == 1 and outcome["archived"] == 0
    assert Child.objects.get(pk=w.child.pk).setting_id == w.receiving.pk
    assert Transfer.objects.get(pk=transfer.pk).status == "completed"
    assert mail.outbox == []  # no "archived" email to the family
    # Running again does nothing more.
    assert services.leaving_apply_due(on=leaving_on)["transferred"] == 0


def test_decline_archives_at_the_sending_setting_and_tells_its_leaders(api, tw):
    w = tw
    transfer = offer(api, w, leaving_on=timezone.localdate() + timedelta(days=3))
    mail.outbox.clear()
    with w.callbacks(execute=True):
        response = api(w.other_manager).post(
            f"/transfers/{transfer.pk}/decline", {"reason": "We have no places until May."}
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    leaving = Leaving.objects.get(child=w.child)
    assert leaving.destination_setting_id is None
    assert leaving.destination_name == "Birch Pre-school"
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted([w.manager.email, w.dual.email])
    assert all("Xander" not in message.body for message in mail.outbox)
    # The receiving setting no longer sees the child at all.
    assert api(w.other_manager).get(f"/settings/{w.receiving.pk}/transfers").json()["items"] == []
    assert accept(api, w, transfer).status_code == 409
    # On the leaving date the child is archived as any other.
    assert services.leaving_apply_due(on=leaving.leaving_on)["archived"] == 1


def test_decline_needs_a_reason(api, tw):
    transfer = offer(api, tw)
    response = api(tw.other_manager).post(f"/transfers/{transfer.pk}/decline", {"reason": "  "})
    assert response.status_code == 422
    assert Transfer.objects.get(pk=transfer.pk).status == "offered"


def test_changing_the_destination_withdraws_the_offer(api, tw):
    w = tw
    transfer = offer(api, w, leaving_on=timezone.localdate() + timedelta(days=3))
    response = api(w.manager).post(
        f"/children/{w.child.pk}/leaving",
        {"leaving_on": transfer.leaving_on.isoformat(), "destination_name": "Oak Primary"},
    )
    assert response.status_code == 200
    assert Transfer.objects.get(pk=transfer.pk).status == "withdrawn"
    assert api(w.other_manager).get(f"/settings/{w.receiving.pk}/transfers").json()["items"] == []
    assert accept(api, w, transfer).status_code == 409


def test_a_parent_who_is_also_uncleared_staff_keeps_parent_access_after_the_move(api, tw):
    w = tw
    both = f.parent_of(w.child, name="Sam Both")
    Membership.objects.create(user=both, setting=w.receiving, role="practitioner")
    transfer = offer(api, w)
    assert accept(api, w, transfer).status_code == 200
    journal = api(both).get(f"/children/{w.child.pk}/journal")
    assert journal.status_code == 200, journal.content
    # As a parent: other children stay initials, and no staff-only replies of others.
    assert "Yasmin" not in journal.content.decode()


def test_purging_another_child_later_deletes_the_copies_that_show_them(api, tw):
    """L-4 reaches what travelled: once Yasmin is purged at the sending setting, no photo
    of her remains at the receiving one either; the rest of Xander's journal stays."""
    from acorn.leaving.purge import child_purge

    w = tw
    transfer = offer(api, w)
    with w.callbacks(execute=True):
        assert accept(api, w, transfer).status_code == 200
    arrived = set(MediaItem.objects.filter(setting=w.receiving).values_list("pk", flat=True))
    with w.callbacks(execute=True):
        child_purge(child=w.other_child)
    left = set(MediaItem.objects.filter(setting=w.receiving).values_list("pk", flat=True))
    assert len(arrived - left) == 1  # the copy of the photo with Yasmin
    assert w.own_photo.pk in left
    assert Observation.objects.filter(setting=w.receiving, links__child=w.child).count() == 3


def test_a_later_withdrawal_of_another_childs_consent_hides_the_copy_that_shows_them(api, tw):
    """C-2 reaches what travelled: the copy of the photo with Yasmin is seen while her
    parents' consent holds, by the family and the receiving staff alike."""
    from acorn.children.consent import consent_record
    from acorn.journal.selectors import media_visible_to

    w = tw
    transfer = offer(api, w)
    with w.callbacks(execute=True):
        assert accept(api, w, transfer).status_code == 200
    copies = MediaItem.objects.filter(setting=w.receiving, observation__links__child=w.child)
    copy = next(
        item
        for item in copies.exclude(pk=w.own_photo.pk)
        if default_storage.open(f"{item.storage_prefix}/{item.original_name}").read()
        != b"blurred shared_display.jpg"
    )
    obscured = copies.exclude(pk__in=[copy.pk, w.own_photo.pk]).get()

    def seen_by(person, item):
        person = type(person).objects.get(pk=person.pk)  # no per-request caches
        return media_visible_to(person).filter(pk=item.pk).exists()

    assert seen_by(w.parent, copy) and seen_by(w.receiving_practitioner, copy)
    with w.callbacks(execute=True):
        consent_record(
            parent=w.other_parent, child=w.other_child, given=False, signature_name="Olly Other"
        )
    assert not seen_by(w.parent, copy)
    assert not seen_by(w.receiving_practitioner, copy)
    # The obscured copy (Rose blurred) and Xander's own photo are untouched.
    assert seen_by(w.parent, obscured) and seen_by(w.parent, w.own_photo)
    # Rose never consented, yet her blurred copy stays: her face can't be seen in it.
    with w.callbacks(execute=True):
        consent_record(
            parent=w.other_parent, child=w.other_child, given=True, signature_name="Olly Other"
        )
    assert seen_by(w.parent, copy)

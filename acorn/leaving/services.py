"""Every write of leaving (L-1, L-3): recording the leaving date, and the daily step that
archives children on their leaving date and tells their parents about the grace period."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from acorn.audit.services import audit_record
from acorn.children.models import Child, ParentLink
from acorn.core.policy import Forbidden
from acorn.leaving.models import EXPORT_KEPT_DAYS, GRACE_DAYS, Leaving, Transfer
from acorn.leaving.rules import one_month_after, require_journal_open, today
from acorn.org.models import Setting
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import require_cleared

logger = logging.getLogger("acorn.leaving")

# Parents are reminded this many days before the grace period ends (L-3).
REMINDER_DAYS = 3


def require_session_leader(person, setting_id) -> None:
    membership = membership_in(person, setting_id)
    if membership is None or not membership.is_session_leader:
        raise Forbidden(
            "Only the setting's session leaders (the manager and deputy) can do this.",
            next_step="Please ask your manager.",
        )
    require_cleared(person, setting_id)


@transaction.atomic
def leaving_record(
    *,
    child: Child,
    recorded_by,
    leaving_on,
    destination_setting_id=None,
    destination_name: str = "",
    request=None,
) -> Leaving:
    """L-1: a session leader records when the child leaves and where they go: a setting
    on this installation (which is offered a transfer) or a name. Until the leaving date
    it can be changed; from then on the child is archived and it can't."""
    require_session_leader(recorded_by, child.setting_id)
    require_journal_open([child])
    destination_name = (destination_name or "").strip()
    destination = None
    if destination_setting_id:
        destination = Setting.objects.filter(pk=destination_setting_id).first()
        if destination is None:
            raise ValidationError({"destination_setting_id": "That setting isn't on Acorn."})
        if destination.pk == child.setting_id:
            raise ValidationError(
                {"destination_setting_id": "Choose the setting the child is going to."}
            )
        destination_name = destination_name or destination.name
    if not destination_name:
        raise ValidationError(
            {"destination_name": "Say where the child is going (a school or setting's name)."}
        )
    if len(destination_name) > 150:
        raise ValidationError({"destination_name": "Please keep the name under 150 characters."})
    if leaving_on < child.start_date:
        raise ValidationError({"leaving_on": "The leaving date can't be before the child started."})
    leaving, _ = Leaving.objects.update_or_create(
        child=child,
        defaults={
            "leaving_on": leaving_on,
            "destination_setting": destination,
            "destination_name": destination_name,
            "recorded_by": recorded_by,
            "recorded_at": timezone.now(),
        },
    )
    child.status = Child.Status.ARCHIVED if leaving_on <= today() else Child.Status.LEFT
    child.save(update_fields=["status"])
    audit_record(
        action="child.leaving",
        actor=recorded_by,
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="leaving",
        object_id=leaving.pk,
        detail={"leaving_on": leaving_on.isoformat(), "transfer": destination is not None},
    )
    transfer = _offer_transfer(leaving, child=child, by=recorded_by, request=request)
    if transfer is not None and transfer.status == Transfer.Status.ACCEPTED:
        if leaving_on <= today():
            # Brought forward to today: the accepted transfer happens now.
            transfer_complete(transfer=transfer)
            leaving.transferred_at = timezone.now()
            child.status = Child.Status.TRANSFERRED
            return leaving
        Child.objects.filter(pk=child.pk).update(status=Child.Status.LEFT)
        child.status = Child.Status.LEFT
    leaving.refresh_from_db()
    return leaving


def _open_transfer(child):
    return (
        Transfer.objects.select_for_update().filter(child=child, status__in=Transfer.OPEN).first()
    )


def _offer_transfer(leaving: Leaving, *, child, by, request=None) -> Transfer | None:
    """L-2: a destination on this installation is offered a transfer; a changed date moves
    the offer's date, a changed or removed destination withdraws it."""
    current = _open_transfer(child)
    destination = leaving.destination_setting_id
    if current is not None and current.to_setting_id == destination:
        if current.leaving_on != leaving.leaving_on:
            current.leaving_on = leaving.leaving_on
            current.save(update_fields=["leaving_on"])
        return current
    if current is not None:
        _withdraw(current, by=by, request=request)
    if destination is None:
        return None
    transfer = Transfer.objects.create(
        child=child,
        from_setting_id=child.setting_id,
        to_setting_id=destination,
        leaving_on=leaving.leaving_on,
        offered_by=by,
    )
    _audit_at_both(transfer, "transfer.offer", actor=by, request=request)
    transaction.on_commit(
        lambda: _email_leaders(transfer.to_setting_id, "transfer_offered", transfer)
    )
    return transfer


def _audit_at_both(transfer: Transfer, action: str, *, actor, request=None) -> None:
    """A transfer is on record at both settings; only the sending one's line names the
    child (the receiving setting knows nothing of the child until it arrives)."""
    for setting_id in (transfer.from_setting_id, transfer.to_setting_id):
        audit_record(
            action=action,
            actor=actor,
            request=request,
            setting_id=setting_id,
            child_id=transfer.child_id if setting_id == transfer.from_setting_id else None,
            object_type="transfer",
            object_id=transfer.pk,
        )


def _withdraw(transfer: Transfer, *, by, request=None) -> None:
    transfer.status = Transfer.Status.WITHDRAWN
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    Leaving.objects.filter(child_id=transfer.child_id).update(transferred_at=None)
    _audit_at_both(transfer, "transfer.withdraw", actor=by, request=request)


@transaction.atomic
def leaving_cancel(*, child: Child, cancelled_by, request=None) -> None:
    """Before the leaving date a session leader can take the leaving record back: the child
    stays, and a transfer offered to another setting is withdrawn."""
    require_session_leader(cancelled_by, child.setting_id)
    require_journal_open([child])
    leaving = Leaving.objects.filter(child=child).first()
    if leaving is None:
        return
    current = _open_transfer(child)
    if current is not None:
        _withdraw(current, by=cancelled_by, request=request)
    leaving.delete()
    Child.objects.filter(pk=child.pk).update(status=Child.Status.ACTIVE)
    child.status = Child.Status.ACTIVE
    audit_record(
        action="child.leaving_cancel",
        actor=cancelled_by,
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="leaving",
        object_id=leaving.pk,
    )


class TransferClosed(Exception):
    """The transfer has already been answered or withdrawn (409 in the API)."""


def _require_open(transfer: Transfer) -> None:
    if transfer.status != Transfer.Status.OFFERED:
        raise TransferClosed(
            {
                Transfer.Status.ACCEPTED: "This transfer has already been accepted.",
                Transfer.Status.COMPLETED: "This child has already moved to your setting.",
                Transfer.Status.DECLINED: "This transfer has already been declined.",
            }.get(transfer.status, "The other setting has withdrawn this transfer.")
        )


def key_person_choices(setting):
    """Who may become a transferred child's key person: the receiving setting's active
    staff whose suitability checks are complete (A-5)."""
    from acorn.org.models import Membership
    from acorn.suitability.selectors import is_cleared

    members = (
        Membership.objects.filter(setting=setting, is_active=True)
        .select_related("user")
        .order_by("user__name")
    )
    return [m.user for m in members if m.user.is_active and is_cleared(m.user, setting.pk)]


@transaction.atomic
def transfer_accept(*, transfer: Transfer, accepted_by, key_person_id, request=None) -> Transfer:
    """L-2: a session leader of the receiving setting accepts, choosing a key person. On or
    after the leaving date everything moves now; before it, on the leaving date (the
    worker's hourly leaving job), so the child stays with the sending setting until then."""
    require_session_leader(accepted_by, transfer.to_setting_id)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    _require_open(transfer)
    key_person = next(
        (p for p in key_person_choices(transfer.to_setting) if str(p.pk) == str(key_person_id)),
        None,
    )
    if key_person is None:
        raise ValidationError(
            {
                "key_person_id": "Choose a member of your staff whose suitability checks "
                "are complete."
            }
        )
    transfer.status = Transfer.Status.ACCEPTED
    transfer.key_person = key_person
    transfer.decided_by = accepted_by
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "key_person", "decided_by", "decided_at"])
    Leaving.objects.filter(child_id=transfer.child_id).update(transferred_at=timezone.now())
    _audit_at_both(transfer, "transfer.accept", actor=accepted_by, request=request)
    if transfer.leaving_on <= today():
        transfer_complete(transfer=transfer)
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: Transfer, declined_by, reason: str, request=None) -> Transfer:
    """The receiving setting says no: the sending setting archives the child on the leaving
    date as it would for a child going somewhere not on Acorn (L-3)."""
    require_session_leader(declined_by, transfer.to_setting_id)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    _require_open(transfer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Please say why, so the other setting can tell the family."}
        )
    if len(reason) > 1000:
        raise ValidationError({"reason": "Please keep the reason under 1,000 characters."})
    transfer.status = Transfer.Status.DECLINED
    transfer.reason = reason
    transfer.decided_by = declined_by
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    Leaving.objects.filter(child_id=transfer.child_id).update(
        destination_setting=None, transferred_at=None
    )
    _audit_at_both(transfer, "transfer.decline", actor=declined_by, request=request)
    transaction.on_commit(
        lambda: _email_leaders(transfer.from_setting_id, "transfer_declined", transfer)
    )
    return transfer


def transfer_complete(*, transfer: Transfer) -> Transfer:
    """Move everything of the child (acorn.leaving.transfer), once, with an audit line at
    each setting."""
    from acorn.leaving.transfer import transfer_move

    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != Transfer.Status.ACCEPTED:
            return transfer
        counts = transfer_move(transfer)
        transfer.status = Transfer.Status.COMPLETED
        transfer.completed_at = timezone.now()
        transfer.counts = counts
        transfer.save(update_fields=["status", "completed_at", "counts"])
        audit_record(
            action="child.transfer_out",
            setting_id=transfer.from_setting_id,
            child_id=transfer.child_id,
            object_type="transfer",
            object_id=transfer.pk,
            detail={"to_setting": str(transfer.to_setting_id), "counts": counts},
        )
        audit_record(
            action="child.transfer_in",
            setting_id=transfer.to_setting_id,
            child_id=transfer.child_id,
            object_type="transfer",
            object_id=transfer.pk,
            detail={"counts": counts},
        )
    return transfer


def transfers_complete_due(*, on=None) -> int:
    """Accepted transfers whose leaving date has come (run by the hourly leaving job)."""
    on = on or today()
    done = 0
    for transfer in Transfer.objects.filter(status=Transfer.Status.ACCEPTED, leaving_on__lte=on):
        try:
            transfer_complete(transfer=transfer)
            done += 1
        except Exception:
            logger.exception(
                "Moving the child of transfer %s failed; retried next run", transfer.pk
            )
    return done


def _email_leaders(setting_id, template: str, transfer: Transfer) -> int:
    """Tell a setting's session leaders about a transfer: no child data (not the child's
    name), only the other setting, the date and a link."""
    from acorn.org.models import Membership

    setting = Setting.objects.get(pk=setting_id)
    other = Setting.objects.get(
        pk=transfer.from_setting_id
        if setting_id == transfer.to_setting_id
        else transfer.to_setting_id
    )
    leaders = Membership.objects.filter(
        setting=setting, is_active=True, role__in=Membership.SESSION_LEADER_ROLES
    ).select_related("user")
    sent = 0
    for membership in leaders:
        person = membership.user
        if not person.is_active:
            continue
        context = {
            "person": person,
            "setting": setting,
            "other": other,
            "transfer": transfer,
            "base_url": settings.ACORN_BASE_URL,
        }
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}_body.txt", context)
        send_mail(subject, body, None, [person.email])
        sent += 1
    return sent


def _email_parents(leaving: Leaving, template: str) -> int:
    links = ParentLink.objects.filter(child_id=leaving.child_id).select_related("parent")
    setting = Setting.objects.get(pk=leaving.child.setting_id)
    sent = 0
    for link in links:
        parent = link.parent
        if not parent.is_active:
            continue
        # No child data: not the child's name, only the setting, the date and a link.
        context = {
            "person": parent,
            "setting": setting,
            "grace_ends_on": leaving.grace_ends_on,
            "base_url": settings.ACORN_BASE_URL,
        }
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}_body.txt", context)
        send_mail(subject, body, None, [parent.email])
        sent += 1
    return sent


def leaving_apply_due(*, on=None) -> dict:
    """Run daily (and safe to run more often): children whose leaving date has come are
    archived; their parents are told once when the grace period starts and once three
    days before it ends."""
    on = on or today()
    transferred = transfers_complete_due(on=on)
    due = Leaving.objects.filter(leaving_on__lte=on, transferred_at__isnull=True).select_related(
        "child"
    )
    archived = 0
    for leaving in due.filter(child__status__in=[Child.Status.ACTIVE, Child.Status.LEFT]):
        Child.objects.filter(pk=leaving.child_id).update(status=Child.Status.ARCHIVED)
        audit_record(
            action="child.archived",
            setting_id=leaving.child.setting_id,
            child_id=leaving.child_id,
            object_type="leaving",
            object_id=leaving.pk,
        )
        archived += 1
    in_grace = due.filter(leaving_on__gte=on - timedelta(days=GRACE_DAYS))
    emails = 0
    for leaving in in_grace.filter(grace_started_email_at__isnull=True):
        # Claimed first, so two workers never send it twice.
        if Leaving.objects.filter(pk=leaving.pk, grace_started_email_at__isnull=True).update(
            grace_started_email_at=timezone.now()
        ):
            emails += _email_parents(leaving, "grace_started")
    ending = in_grace.filter(
        leaving_on__lte=on - timedelta(days=GRACE_DAYS - REMINDER_DAYS),
        grace_ending_email_at__isnull=True,
    )
    for leaving in ending:
        if Leaving.objects.filter(pk=leaving.pk, grace_ending_email_at__isnull=True).update(
            grace_ending_email_at=timezone.now()
        ):
            emails += _email_parents(leaving, "grace_ending")
    return {"archived": archived, "emails": emails, "transferred": transferred}


def may_export(person, child) -> bool:
    """A keepsake is for the child's parents (while the child attends and in the grace
    period) and the setting's session leaders (subject access requests)."""
    from acorn.children.selectors import is_parent_of, leader_setting_ids

    return is_parent_of(person, child) or child.setting_id in leader_setting_ids(person)


@transaction.atomic
def keepsake_request(*, child: Child, requested_by, request=None):
    """L-3, L-5: start a keepsake export of the child's journal (child already checked
    with child_for). The worker builds it; a session leader's export is a subject access
    request, answered within a month."""
    from acorn.children.selectors import is_parent_of, require_onboarded
    from acorn.leaving.models import KeepsakeExport
    from acorn.leaving.tasks import build_keepsake

    if not may_export(requested_by, child):
        raise Forbidden(
            "A keepsake of a child's journal is for their family and the setting's "
            "session leaders.",
            next_step="Please ask your manager if the family has asked for one.",
        )
    as_parent = is_parent_of(requested_by, child)
    if as_parent:
        require_onboarded(requested_by, child)
    else:
        require_session_leader(requested_by, child.setting_id)
    # One being made at a time per person: pressing the button again shows its progress
    # (unless it has been "preparing" for an hour: a worker lost it, so start afresh).
    waiting = (
        KeepsakeExport.objects.select_for_update()
        .filter(
            child=child,
            requested_by=requested_by,
            status=KeepsakeExport.Status.PREPARING,
            requested_at__gte=timezone.now() - timedelta(hours=1),
        )
        .first()
    )
    if waiting is not None:
        return waiting
    due_on = None
    if not as_parent:
        # A subject access request is due one month after it was made; a new zip for a
        # request still open (the last one expired before anyone downloaded it) keeps the
        # request's date.
        from acorn.leaving.selectors import open_subject_access

        still_open = open_subject_access(child.setting_id, child_ids=[child.pk])
        due_on = still_open[0].due_on if still_open else one_month_after(today())
    export = KeepsakeExport.objects.create(
        child=child,
        requested_by=requested_by,
        subject_access=not as_parent,
        due_on=due_on,
    )
    audit_record(
        action="keepsake.request",
        actor=requested_by,
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="keepsake_export",
        object_id=export.pk,
        detail={"subject_access": export.subject_access},
    )
    transaction.on_commit(lambda: build_keepsake.enqueue(str(export.pk)))
    return export


def keepsake_build(export_id) -> str:
    """Runs in the worker: builds the zip as the requester may see the journal."""
    from acorn.leaving import keepsake
    from acorn.leaving.models import KeepsakeExport

    export = (
        KeepsakeExport.objects.select_related("child__setting", "requested_by")
        .filter(pk=export_id, status=KeepsakeExport.Status.PREPARING)
        .first()
    )
    if export is None:
        return "skipped"

    def progress(percent):
        KeepsakeExport.objects.filter(pk=export.pk).update(progress=percent)

    try:
        name, size = keepsake.build_zip(export.child, progress=progress)
    except Exception:
        KeepsakeExport.objects.filter(pk=export.pk).update(status=KeepsakeExport.Status.FAILED)
        raise
    ready_at = timezone.now()
    KeepsakeExport.objects.filter(pk=export.pk).update(
        status=KeepsakeExport.Status.READY,
        storage_name=name,
        size=size,
        progress=100,
        ready_at=ready_at,
        expires_at=ready_at + timedelta(days=EXPORT_KEPT_DAYS),
    )
    return KeepsakeExport.Status.READY


def keepsake_expire(*, now=None) -> int:
    """Run by the worker (hourly): a keepsake's zip is kept for EXPORT_KEPT_DAYS after it
    is made, then deleted (the purge deletes it sooner if the grace period ends first).
    The row stays, marked expired, so the page can say so and offer a new one. A backup
    restored later brings back rows whose time has passed: the next run deletes them
    again. Returns how many zips were deleted."""
    from acorn.leaving.models import KeepsakeExport

    now = now or timezone.now()
    expired = 0
    due = KeepsakeExport.objects.filter(status=KeepsakeExport.Status.READY, expires_at__lte=now)
    for export in due.only("pk", "storage_name", "child_id"):
        # Claimed first, so two workers never both count it; the file goes after.
        claimed = KeepsakeExport.objects.filter(
            pk=export.pk, status=KeepsakeExport.Status.READY
        ).update(status=KeepsakeExport.Status.EXPIRED, storage_name="")
        if claimed and export.storage_name:
            default_storage.delete(export.storage_name)
            expired += 1
    return expired


def keepsake_downloaded(export) -> None:
    """The first download by the person who asked (for a subject access request, the day
    it could be answered)."""
    from acorn.leaving.models import KeepsakeExport

    KeepsakeExport.objects.filter(pk=export.pk, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )

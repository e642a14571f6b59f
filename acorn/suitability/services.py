"""Every write to the suitability register (A-5). Session leaders record checks for any
staff member of their setting, themselves included; staff sign their own declarations.
Each record is audited in the same transaction."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from acorn.accounts.signatures import typed_signature
from acorn.audit.services import audit_record, client_ip
from acorn.core.policy import Forbidden
from acorn.org.models import Membership
from acorn.suitability.declarations import current_text
from acorn.suitability.models import (
    DbsCheck,
    Declaration,
    SafeguardingTraining,
    StatusCheck,
    UpdateServiceSubscription,
)
from acorn.suitability.selectors import forget_clearance, setting_today


def _check_recorder(*, setting, person, recorded_by):
    leader = Membership.objects.filter(
        setting=setting,
        user=recorded_by,
        is_active=True,
        role__in=Membership.SESSION_LEADER_ROLES,
    ).exists()
    if not leader:
        raise Forbidden("Only session leaders (the manager and deputy) can record checks.")
    if not Membership.objects.filter(setting=setting, user=person, is_active=True).exists():
        raise ValidationError("That person isn't on this setting's staff.")


def _not_future(setting, day: date, what: str):
    if day > setting_today(setting):
        raise ValidationError({what: "This date can't be in the future."})


def _forget_clearance(person):
    forget_clearance(person)


def _audit(action, *, record, setting, person, recorded_by, request, detail=None):
    audit_record(
        action=action,
        actor=recorded_by,
        request=request,
        setting_id=setting.pk,
        object_type="user",
        object_id=person.pk,
        detail={"record": str(record.pk), **(detail or {})},
    )
    _forget_clearance(person)


@transaction.atomic
def dbs_check_record(
    *,
    setting,
    person,
    recorded_by,
    certificate_number: str,
    issued_on: date,
    barred_list: bool,
    original_seen: bool,
    request=None,
) -> DbsCheck:
    _check_recorder(setting=setting, person=person, recorded_by=recorded_by)
    certificate_number = (certificate_number or "").strip().replace(" ", "")
    if not certificate_number.isdigit() or len(certificate_number) != 12:
        raise ValidationError(
            {
                "certificate_number": "A DBS certificate number has 12 digits (it's on the top right)."
            }
        )
    if not barred_list:
        raise ValidationError({"barred_list": "The check must include the children's barred list."})
    if not original_seen:
        raise ValidationError(
            {"original_seen": "Please see the original certificate before recording it."}
        )
    _not_future(setting, issued_on, "issued_on")
    record = DbsCheck.objects.create(
        setting=setting,
        person=person,
        certificate_number=certificate_number,
        issued_on=issued_on,
        barred_list=True,
        original_seen=True,
        checked_by=recorded_by,
    )
    _audit(
        "suitability.dbs_enhanced",
        record=record,
        setting=setting,
        person=person,
        recorded_by=recorded_by,
        request=request,
        detail={"issued_on": issued_on.isoformat()},
    )
    return record


@transaction.atomic
def update_service_record(
    *, setting, person, recorded_by, subscription_id: str, renews_on: date, request=None
) -> UpdateServiceSubscription:
    _check_recorder(setting=setting, person=person, recorded_by=recorded_by)
    subscription_id = (subscription_id or "").strip()
    if not subscription_id or len(subscription_id) > 32:
        raise ValidationError({"subscription_id": "Enter the Update Service subscription ID."})
    record = UpdateServiceSubscription.objects.create(
        setting=setting,
        person=person,
        subscription_id=subscription_id,
        renews_on=renews_on,
        recorded_by=recorded_by,
    )
    _audit(
        "suitability.update_service",
        record=record,
        setting=setting,
        person=person,
        recorded_by=recorded_by,
        request=request,
        detail={"renews_on": renews_on.isoformat()},
    )
    return record


@transaction.atomic
def status_check_record(
    *, setting, person, recorded_by, checked_on: date, result: str, request=None
) -> StatusCheck:
    _check_recorder(setting=setting, person=person, recorded_by=recorded_by)
    if result not in StatusCheck.Result.values:
        raise ValidationError(
            {"result": "The result is one of no_new_information, new_information, not_current."}
        )
    _not_future(setting, checked_on, "checked_on")
    record = StatusCheck.objects.create(
        setting=setting, person=person, checked_on=checked_on, result=result, checked_by=recorded_by
    )
    _audit(
        "suitability.status_check",
        record=record,
        setting=setting,
        person=person,
        recorded_by=recorded_by,
        request=request,
        detail={"result": result, "checked_on": checked_on.isoformat()},
    )
    return record


@transaction.atomic
def training_record(
    *, setting, person, recorded_by, completed_on: date, course: str, request=None
) -> SafeguardingTraining:
    _check_recorder(setting=setting, person=person, recorded_by=recorded_by)
    _not_future(setting, completed_on, "completed_on")
    record = SafeguardingTraining.objects.create(
        setting=setting,
        person=person,
        completed_on=completed_on,
        course=(course or "").strip()[:150] or "Safeguarding training",
        recorded_by=recorded_by,
    )
    _audit(
        "suitability.training",
        record=record,
        setting=setting,
        person=person,
        recorded_by=recorded_by,
        request=request,
    )
    return record


@transaction.atomic
def declaration_sign(*, setting, person, kind: str, signature_name: str, request=None):
    """Staff sign their own declarations; the exact text and its version are kept."""
    if kind not in Declaration.Kind.values:
        raise ValidationError({"kind": "The kind is self_declaration or online_safety."})
    if not Membership.objects.filter(setting=setting, user=person, is_active=True).exists():
        raise Forbidden("Only staff of the setting sign its declarations.")
    signature_name = typed_signature(signature_name, person)
    version, text = current_text(kind)
    record = Declaration.objects.create(
        setting=setting,
        person=person,
        kind=kind,
        version=version,
        text=text,
        signature_name=signature_name,
        ip=client_ip(request),
    )
    _audit(
        f"suitability.{kind}",
        record=record,
        setting=setting,
        person=person,
        recorded_by=person,
        request=request,
        detail={"version": version},
    )
    return record


REMINDER_STAGES = (30, 14, 7, 1)


def _stage(days_left: int) -> int | None:
    for stage in sorted(REMINDER_STAGES):
        if days_left <= stage:
            return stage
    return None


def clearance_reminders_send(*, today: date | None = None) -> int:
    """Email the person and their session leaders before a check lapses: at 30, 14, 7 and
    1 days before (or the first of those a run sees). Safe to run as often as you like:
    each item is reminded at most once per stage. Emails name the staff member, the check
    and the date only: no child's data."""
    from acorn.accounts.services import email_send
    from acorn.org.models import Setting
    from acorn.suitability.models import ClearanceReminder
    from acorn.suitability.selectors import LABELS, clearance_register, session_leaders_of

    sent = 0
    for setting in Setting.objects.all().order_by("name"):
        day = today or setting_today(setting)
        leaders = None
        for member, clearance in clearance_register(setting):
            items = [(name, clearance.due[name]) for name in clearance.due]
            if clearance.training_due is not None:
                items.append(("safeguarding_training", clearance.training_due))
            for item, due in items:
                days_left = (due - day).days
                stage = _stage(days_left) if days_left >= 0 else None
                if stage is None:
                    continue
                with transaction.atomic():
                    _reminder, created = ClearanceReminder.objects.get_or_create(
                        setting=setting, person=member.user, item=item, due_on=due, stage=stage
                    )
                    if not created:
                        continue
                    if leaders is None:
                        leaders = session_leaders_of(setting)
                    recipients = {member.user.email: member.user}
                    recipients.update({leader.email: leader for leader in leaders})
                    for email, person in recipients.items():
                        email_send(
                            to=email,
                            template="clearance_reminder",
                            context={
                                "recipient": person,
                                "person": member.user,
                                "is_self": person.pk == member.user_id,
                                "what": LABELS[item],
                                "due": due,
                                "days": days_left,
                                "setting": setting,
                                "gates": item != "safeguarding_training",
                            },
                        )
                    audit_record(
                        action="suitability.reminder",
                        setting_id=setting.pk,
                        object_type="user",
                        object_id=member.user_id,
                        detail={"item": item, "due_on": due.isoformat(), "stage": stage},
                    )
                    sent += 1
    return sent

from django.core.exceptions import ValidationError
from django.db import transaction

from acorn.accounts.models import Invitation
from acorn.accounts.services import invitation_create
from acorn.audit.services import audit_record
from acorn.children.models import Child
from acorn.org.models import Membership

# What monitoring needs; staff only.
MONITORING_FIELDS = (
    "sex",
    "send_stage",
    "eal",
    "home_language",
    "funded_entitlement",
    "two_year_funding",
    "eypp",
    "room",
)

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "start_date",
    "key_person",
    "backup_key_person",
    "status",
    *MONITORING_FIELDS,
)


STAFF_ROLE_LABELS = {"key_person": "key person", "backup_key_person": "back-up key person"}


def not_staff_message(label: str) -> str:
    """The same words whoever the id belongs to, or if it belongs to no one: a person's
    name is never told to someone who could only guess their id (issue 8)."""
    return f"That {STAFF_ROLE_LABELS.get(label, 'person')} is not on this setting's staff."


def _check_staff_of(setting, person, label):
    if person is None:
        return
    if not Membership.objects.filter(setting=setting, user=person, is_active=True).exists():
        raise ValidationError({label: not_staff_message(label)})


def _check_child(child: Child):
    if not child.first_name.strip() or not child.last_name.strip():
        raise ValidationError("A child needs a first name and a last name.")
    if child.start_date < child.date_of_birth:
        raise ValidationError({"start_date": "The start date can't be before the date of birth."})
    for name in ("sex", "send_stage", "funded_entitlement"):
        choices = Child._meta.get_field(name).choices
        value = getattr(child, name)
        if value not in {c[0] for c in choices} and not (name == "sex" and value == ""):
            raise ValidationError(
                {name: f"{name} must be one of: {', '.join(c[0] for c in choices)}."}
            )
    child.home_language = (child.home_language or "").strip()[:60]
    child.room = (child.room or "").strip()[:60]
    _check_staff_of(child.setting, child.key_person, "key_person")
    _check_staff_of(child.setting, child.backup_key_person, "backup_key_person")
    if child.backup_key_person_id and child.backup_key_person_id == child.key_person_id:
        raise ValidationError(
            {
                "backup_key_person": "The back-up key person must be someone other than the key person."
            }
        )


@transaction.atomic
def child_create(*, setting, created_by, request=None, **fields) -> Child:
    child = Child(setting=setting, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    child.first_name = child.first_name.strip()
    child.last_name = child.last_name.strip()
    _check_child(child)
    child.save()
    audit_record(
        action="child.create",
        actor=created_by,
        request=request,
        setting_id=setting.pk,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
    )
    return child


@transaction.atomic
def child_update(*, child: Child, updated_by, request=None, **fields) -> Child:
    from acorn.leaving.rules import require_journal_open

    require_journal_open([child])
    changed = []
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(f"{name} can't be changed here.")
        if getattr(child, name) != value:
            setattr(child, name, value)
            changed.append(name)
    if not changed:
        return child
    _check_child(child)
    child.save()
    audit_record(
        action="child.update",
        actor=updated_by,
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
        detail={"fields": changed},
    )
    return child


def parent_invite(*, child: Child, email: str, name: str, invited_by, request=None):
    return invitation_create(
        setting=child.setting,
        email=email,
        name=name,
        role=Invitation.Role.PARENT,
        child=child,
        invited_by=invited_by,
        request=request,
    )


def may_manage_parents(user, child: Child) -> bool:
    """Session leaders and the child's key people invite parents."""
    from acorn.org.selectors import membership_in

    membership = membership_in(user, child.setting_id)
    if membership is None:
        return False
    return membership.is_session_leader or user.pk in (
        child.key_person_id,
        child.backup_key_person_id,
    )


def child_photo_set(*, child: Child, uploaded_file, set_by, request=None) -> Child:
    """A portrait for the child's tiles and journal. Checked and processed like any photo;
    the previous portrait and its files are deleted."""
    from acorn.journal.media import media_delete_files, media_upload
    from acorn.leaving.rules import require_journal_open

    require_journal_open([child])
    from acorn.journal.models import MediaItem
    from acorn.media_processing import MediaRejected

    item = media_upload(
        uploader=set_by, setting=child.setting, uploaded_file=uploaded_file, request=request
    )
    if item.kind != MediaItem.Kind.PHOTO:
        media_delete_files([item])
        item.delete()
        raise MediaRejected("unsupported_type", "Please choose a photo, not a video.")
    with transaction.atomic():
        previous = MediaItem.objects.filter(pk=child.photo_id).first()
        Child.objects.filter(pk=child.pk).update(photo=item)
        child.photo = item
        if previous is not None:
            previous.delete()
            media_delete_files([previous])
        audit_record(
            action="child.photo",
            actor=set_by,
            request=request,
            setting_id=child.setting_id,
            child_id=child.pk,
            object_type="media",
            object_id=item.pk,
        )
    return child

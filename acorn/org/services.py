from django.db import transaction

from acorn.accounts.models import Invitation, User
from acorn.accounts.services import invitation_create
from acorn.audit.services import audit_record
from acorn.core.policy import Forbidden
from acorn.org.models import Membership, Setting


class RoleChangeRefused(Exception):
    pass


@transaction.atomic
def setting_create(*, name: str, manager_email: str, manager_name: str, timezone="Europe/London"):
    """A new setting with an invitation for its first manager (operator command)."""
    setting = Setting.objects.create(name=name.strip(), timezone=timezone)
    audit_record(
        action="setting.create", setting_id=setting.pk, object_type="setting", object_id=setting.pk
    )
    invitation, raw = invitation_create(
        setting=setting, email=manager_email, name=manager_name, role=Invitation.Role.MANAGER
    )
    return setting, invitation, raw


def staff_invite(*, setting: Setting, email: str, name: str, role: str, invited_by, request=None):
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown staff role {role!r}.")
    return invitation_create(
        setting=setting, email=email, name=name, role=role, invited_by=invited_by, request=request
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, changed_by: User, request=None):
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown staff role {role!r}.")
    leader = Membership.objects.filter(
        user=changed_by,
        setting=membership.setting,
        is_active=True,
        role__in=Membership.SESSION_LEADER_ROLES,
    ).exists()
    if not leader:
        raise Forbidden("Only session leaders can change staff roles.")
    if membership.role == Membership.Role.MANAGER and role != Membership.Role.MANAGER:
        other_managers = Membership.objects.filter(
            setting=membership.setting, role=Membership.Role.MANAGER, is_active=True
        ).exclude(pk=membership.pk)
        if not other_managers.exists():
            raise RoleChangeRefused(
                "A setting needs at least one manager. Make someone else manager first."
            )
    if role == Membership.Role.MANAGER and membership.role != Membership.Role.MANAGER:
        is_manager = Membership.objects.filter(
            user=changed_by, setting=membership.setting, role=Membership.Role.MANAGER
        ).exists()
        if not is_manager:
            raise Forbidden("Only a manager can make someone a manager.")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="staff.role_change",
        actor=changed_by,
        request=request,
        setting_id=membership.setting_id,
        object_type="membership",
        object_id=membership.pk,
        detail={"from": old, "to": role},
    )
    return membership

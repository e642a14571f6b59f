import ipaddress
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from acorn.accounts.models import Invitation, User
from acorn.accounts.services import invitation_create
from acorn.audit.services import audit_record
from acorn.core.policy import Forbidden
from acorn.org.models import DutyPeriod, Membership, Setting


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


def role_grant_check(*, setting: Setting, role: str, granted_by: User | None) -> None:
    """Who may give someone a role in a setting, by invitation or by a change of role:
    its session leaders, and only a manager may make someone a manager. The web pages,
    the API and invitation acceptance all come through here, so they can't differ."""
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown staff role {role!r}.")
    granter = Membership.objects.filter(
        user=granted_by,
        setting=setting,
        is_active=True,
        role__in=Membership.SESSION_LEADER_ROLES,
    ).first()
    if granter is None:
        raise Forbidden(
            "Only session leaders (the manager and deputy) can invite staff or change roles."
        )
    if role == Membership.Role.MANAGER and granter.role != Membership.Role.MANAGER:
        raise Forbidden("Only a manager can make someone a manager.")


def _is_manager(person: User, membership: Membership) -> bool:
    return Membership.objects.filter(
        user=person, setting_id=membership.setting_id, is_active=True, role=Membership.Role.MANAGER
    ).exists()


def roles_grantable_by(leader: Membership) -> list[tuple[str, str]]:
    """The roles a session leader may give (role_grant_check), for forms to offer."""
    return [
        (value, label)
        for value, label in Membership.Role.choices
        if value != Membership.Role.MANAGER or leader.role == Membership.Role.MANAGER
    ]


def _refuse_last_manager(membership: Membership, role: str) -> None:
    if membership.role != Membership.Role.MANAGER or role == Membership.Role.MANAGER:
        return
    other_managers = Membership.objects.filter(
        setting=membership.setting, role=Membership.Role.MANAGER, is_active=True
    ).exclude(pk=membership.pk)
    if not other_managers.exists():
        raise RoleChangeRefused(
            "A setting needs at least one manager. Make someone else manager first."
        )


def staff_invite(*, setting: Setting, email: str, name: str, role: str, invited_by, request=None):
    role_grant_check(setting=setting, role=role, granted_by=invited_by)
    return invitation_create(
        setting=setting, email=email, name=name, role=role, invited_by=invited_by, request=request
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, changed_by: User, request=None):
    role_grant_check(setting=membership.setting, role=role, granted_by=changed_by)
    _refuse_last_manager(membership, role)
    if membership.role == Membership.Role.MANAGER and not _is_manager(changed_by, membership):
        # A deputy acting as manager must not be able to demote the manager either.
        raise Forbidden("Only a manager can change a manager's role.")
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


@transaction.atomic
def membership_from_invitation(*, invitation: Invitation, person: User, request=None):
    """The invited person accepted: their membership starts now, with the role the
    invitation offers, under the same rules as a change of role made by the inviter
    today. Raises Forbidden or RoleChangeRefused when those rules say no."""
    setting = invitation.setting
    role = invitation.role
    existing = Membership.objects.select_for_update().filter(user=person, setting=setting).first()
    if existing is not None and existing.is_active and existing.role == role:
        return existing
    if invitation.invited_by_id is None:
        # The operator's invitation of a new setting's first manager (setting_create).
        if Membership.objects.filter(setting=setting, is_active=True).exists():
            raise Forbidden("This invitation is no longer valid.")
    else:
        role_grant_check(setting=setting, role=role, granted_by=invitation.invited_by)
    if existing is not None and existing.is_active:
        _refuse_last_manager(existing, role)
        if (
            existing.role == Membership.Role.MANAGER
            and invitation.invited_by_id is not None
            and not _is_manager(invitation.invited_by, existing)
        ):
            raise Forbidden("Only a manager can change a manager's role.")
    old = existing.role if existing is not None and existing.is_active else None
    membership, _ = Membership.objects.update_or_create(
        user=person, setting=setting, defaults={"role": role, "is_active": True}
    )
    audit_record(
        action="staff.join" if old is None else "staff.role_change",
        actor=person,
        request=request,
        setting_id=setting.pk,
        object_type="membership",
        object_id=membership.pk,
        detail={"from": old, "to": role, "invitation": str(invitation.pk)},
    )
    return membership


def _cidrs(values, field) -> list[str]:
    cleaned = []
    for value in values:
        try:
            cleaned.append(str(ipaddress.ip_network(str(value).strip(), strict=False)))
        except ValueError:
            raise ValidationError(
                {field: f"“{value}” isn't a network address, e.g. 203.0.113.0/24 or 192.0.2.7."}
            ) from None
    return list(dict.fromkeys(cleaned))


def _proxies(values) -> list[str]:
    """Trusted proxies: only narrow private ranges (A-6), or anyone could forge an address."""
    from acorn.audit.services import proxy_network_allowed

    cleaned = _cidrs(values, "trusted_proxies")
    for cidr in cleaned:
        if not proxy_network_allowed(ipaddress.ip_network(cidr)):
            raise ValidationError(
                {
                    "trusted_proxies": f"“{cidr}” can't be a trusted proxy: a proxy Acorn "
                    "trusts must be on a private network next to it (for example "
                    "10.0.0.5 or 192.168.1.0/24, no wider than /16, or /48 for IPv6). "
                    "Trusting a public or catch-all range would let anyone pretend to be "
                    "on the setting's network. Leave this empty if you don't use a proxy."
                }
            )
    return cleaned


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _sessions(values) -> list[dict]:
    cleaned = []
    for value in values:
        weekday, start, end = value.get("weekday"), value.get("start"), value.get("end")
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationError({"session_times": "weekday is 0 (Monday) to 6 (Sunday)."})
        if not (
            isinstance(start, str)
            and HHMM.match(start)
            and isinstance(end, str)
            and HHMM.match(end)
        ):
            raise ValidationError({"session_times": "Times are HH:MM, e.g. 08:45."})
        if start >= end:
            raise ValidationError({"session_times": "A session must end after it starts."})
        cleaned.append({"weekday": weekday, "start": start, "end": end})
    return sorted(cleaned, key=lambda s: (s["weekday"], s["start"]))


def _require_leader(setting, user):
    if not Membership.objects.filter(
        user=user, setting=setting, is_active=True, role__in=Membership.SESSION_LEADER_ROLES
    ).exists():
        raise Forbidden("Only session leaders (the manager and deputy) can do this.")


def _refuse_self_lockout(setting, person, networks, request):
    """Listing networks that leave out the address of the leader saving them would lock
    them out at once (unless they are a key worker): say so instead."""
    from acorn.audit.services import address_in, client_ip
    from acorn.org.rules import is_key_worker

    address = client_ip(request)
    if address_in(address, networks) or is_key_worker(person, setting.pk):
        return
    raise ValidationError(
        {
            "on_site_networks": f"You are connecting from {address}, which isn't in these "
            "networks: saving them would lock you out of Acorn at once, as only key people "
            "may use it away from the setting. Save this on the setting's own network, or "
            "include that network."
        }
    )


@transaction.atomic
def setting_rules_update(
    *,
    setting: Setting,
    changed_by: User,
    on_site_networks=None,
    trusted_proxies=None,
    session_times=None,
    mfa_for_practitioners=None,
    request=None,
) -> Setting:
    """The off-site networks and proxies (A-6), session times (A-7) and two-step sign-in
    for practitioners (A-3)."""
    _require_leader(setting, changed_by)
    changes = {}
    if on_site_networks is not None:
        changes["on_site_networks"] = _cidrs(on_site_networks, "on_site_networks")
    if trusted_proxies is not None:
        changes["trusted_proxies"] = _proxies(trusted_proxies)
    if session_times is not None:
        changes["session_times"] = _sessions(session_times)
    if mfa_for_practitioners is not None:
        changes["mfa_for_practitioners"] = bool(mfa_for_practitioners)
    if changes.get("on_site_networks") and request is not None:
        _refuse_self_lockout(setting, changed_by, changes["on_site_networks"], request)
    for field, value in changes.items():
        setattr(setting, field, value)
    setting.save(update_fields=list(changes) or None)
    audit_record(
        action="setting.rules_change",
        actor=changed_by,
        request=request,
        setting_id=setting.pk,
        object_type="setting",
        object_id=setting.pk,
        detail=changes,
    )
    return setting


@transaction.atomic
def duty_start(*, setting: Setting, leader: User, started_by: User, request=None) -> DutyPeriod:
    """A session leader goes on duty now (A-7)."""
    _require_leader(setting, started_by)
    if not Membership.objects.filter(
        user=leader, setting=setting, is_active=True, role__in=Membership.SESSION_LEADER_ROLES
    ).exists():
        raise ValidationError(
            {"leader_id": "Only a manager or deputy of the setting can be on duty."}
        )
    now = timezone.now()
    DutyPeriod.objects.filter(setting=setting, leader=leader, ended_at=None).update(ended_at=now)
    period = DutyPeriod.objects.create(
        setting=setting, leader=leader, started_by=started_by, started_at=now
    )
    audit_record(
        action="duty.start",
        actor=started_by,
        request=request,
        setting_id=setting.pk,
        object_type="user",
        object_id=leader.pk,
    )
    return period


@transaction.atomic
def duty_end(*, setting: Setting, leader: User, ended_by: User, request=None) -> int:
    _require_leader(setting, ended_by)
    ended = DutyPeriod.objects.filter(setting=setting, leader=leader, ended_at=None).update(
        ended_at=timezone.now()
    )
    audit_record(
        action="duty.end",
        actor=ended_by,
        request=request,
        setting_id=setting.pk,
        object_type="user",
        object_id=leader.pk,
    )
    return ended

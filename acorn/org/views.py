from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acorn.accounts import mfa
from acorn.accounts.models import TotpDevice
from acorn.accounts.reauth import require_recent_authentication
from acorn.audit.selectors import probing_asked, probing_flags
from acorn.core.access import session_leader, session_leader_admin, staff
from acorn.core.kept import found_together
from acorn.core.policy import Forbidden
from acorn.devices.selectors import signouts_overdue
from acorn.journal.selectors import waiting_counts
from acorn.leaving.selectors import subject_access_asked, transfers_shown
from acorn.org import services
from acorn.org.forms import RoleChangeForm, SettingRulesForm, StaffInviteForm
from acorn.org.models import Membership
from acorn.org.rendering import register_rows_html, supervised_html
from acorn.org.rules import duty_started_message, session_now
from acorn.org.selectors import (
    leaders_on_duty_now,
    memberships_of,
    staff_of,
    supervised_shown,
)
from acorn.reports.selectors import waiting_shown
from acorn.suitability.selectors import (
    LABELS,
    clearance_register,
    is_cleared,
    setting_today,
)


@session_leader_admin
def dashboard(request):
    """Today, for session leaders: who is cleared, what is missing, what falls due in the
    next 30 days, duty, the setting's rules, and observations they supervised."""
    setting = request.membership.setting
    register = clearance_register(setting)
    expiring = [
        (member, name, clearance.due[name])
        for member, clearance in register
        for name in clearance.expiring
    ]
    training_due = [
        (member, clearance.training_due)
        for member, clearance in register
        if clearance.training_due is not None
        and (clearance.training_due - setting_today(setting)).days <= 30
    ]
    cleared = is_cleared(request.user, setting.pk)
    on_duty = leaders_on_duty_now(setting)
    now = timezone.now()
    # Panels that are nearly always empty, asked about in one query: only those with
    # something in them are read (issue 13). The template's panels read `panels_found`.
    asked = {
        "probing": probing_asked(setting, now=now),
        "devices": (signouts_overdue, (setting.pk, now)),
        "transfers": (transfers_shown, (setting.pk,)),
        "subject_access": subject_access_asked(setting.pk),
        "reports_waiting": (waiting_shown, (setting.pk,)),
    }
    found = dict(zip(asked, found_together(*asked.values()), strict=True))
    supervised = supervised_shown.rows(request.user.pk, setting.pk) if cleared else None
    return render(
        request,
        "org/dashboard.html",
        {
            "setting": setting,
            "register_html": register_rows_html(register),
            "expiring": sorted(expiring, key=lambda row: row[2]),
            "training_due": training_due,
            "labels": LABELS,
            "me_cleared": cleared,
            "on_duty": on_duty,
            "i_am_on_duty": any(p.leader_id == request.user.pk for p in on_duty),
            "session_now": session_now(setting),
            "supervised": supervised,
            "supervised_html": supervised_html(supervised or ()),
            "waiting": waiting_counts(setting, request.user) if cleared else None,
            "probing": probing_flags(setting, now=now) if found["probing"] else [],
            "overdue_devices": signouts_overdue.rows(setting.pk, now) if found["devices"] else [],
            "panels_found": found,
        },
    )


@session_leader
@require_POST
def duty_toggle(request):
    setting = request.membership.setting
    if request.POST.get("on") == "1":
        services.duty_start(
            setting=setting, leader=request.user, started_by=request.user, request=request
        )
        messages.success(request, duty_started_message(setting))
    else:
        services.duty_end(
            setting=setting, leader=request.user, ended_by=request.user, request=request
        )
        messages.success(request, "You're off duty.")
    return redirect("org:dashboard")


@session_leader_admin
def setting_rules(request):
    setting = request.membership.setting
    form = SettingRulesForm(request.POST or None, setting=setting)
    if request.method == "POST" and form.is_valid():
        require_recent_authentication(request)
        try:
            services.setting_rules_update(
                setting=setting, changed_by=request.user, request=request, **form.rules()
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Saved. The new rules apply from now.")
            return redirect("org:settings")
    return render(request, "org/settings.html", {"form": form, "setting": setting})


@session_leader_admin
@require_POST
def mfa_reset(request, membership_id):
    membership = (
        Membership.objects.filter(pk=membership_id, setting=request.membership.setting)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    if request.membership.role != Membership.Role.MANAGER:
        raise Forbidden("Only a manager can reset someone's two-step sign-in.")
    if membership.user_id == request.user.pk:
        raise Forbidden(
            "You can't reset your own two-step sign-in. Use a recovery code, or ask another "
            "manager."
        )
    require_recent_authentication(request)
    mfa.mfa_reset(
        person=membership.user,
        reset_by=request.user,
        setting=request.membership.setting,
        request=request,
    )
    messages.success(
        request,
        f"{membership.user.name}'s two-step sign-in is reset and they are signed out "
        "everywhere. They'll set it up again when they next sign in.",
    )
    return redirect("org:staff")


@session_leader_admin
def staff_list(request):
    setting = request.membership.setting
    form = StaffInviteForm(request.POST or None)
    form.fields["role"].choices = services.roles_grantable_by(request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_invite(
                setting=setting, invited_by=request.user, request=request, **form.cleaned_data
            )
        except Forbidden as refusal:
            form.add_error("role", refusal.detail)
        else:
            messages.success(
                request,
                f"We've emailed an invitation to {form.cleaned_data['email']}. "
                "It works once and lasts 7 days.",
            )
            return redirect("org:staff")
    members = list(staff_of(setting))
    register = clearance_register(setting, members)
    enrolled = set(
        TotpDevice.objects.filter(
            user__in=[m.user_id for m in members], confirmed_at__isnull=False
        ).values_list("user_id", flat=True)
    )
    # Invitations waiting for an answer, by the email the inviter typed: the person is
    # not staff (and not named) until they accept.
    pending = (
        setting.invitations.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .exclude(role="parent")
        .order_by("-created_at")
    )
    return render(
        request,
        "org/staff.html",
        {
            "register": register,
            "enrolled": enrolled,
            "is_manager": request.membership.role == Membership.Role.MANAGER,
            "form": form,
            "pending": pending,
            "roles": services.roles_grantable_by(request.membership),
            "setting": setting,
        },
    )


@session_leader_admin
@require_POST
def staff_role(request, membership_id):
    membership = (
        Membership.objects.filter(pk=membership_id, setting=request.membership.setting)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    form = RoleChangeForm(request.POST)
    require_recent_authentication(request)
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                changed_by=request.user,
                request=request,
            )
        except services.RoleChangeRefused as error:
            messages.error(request, str(error))
        except Forbidden as refusal:
            messages.error(request, refusal.detail)
        else:
            messages.success(
                request, f"{membership.user.name} is now {membership.get_role_display().lower()}."
            )
    return redirect("org:staff")


@staff
@require_POST
def switch_setting(request):
    wanted = request.POST.get("setting")
    for setting_id in memberships_of(request.user):
        if str(setting_id) == wanted:
            request.session["acorn_setting"] = wanted
            break
    return redirect("home")

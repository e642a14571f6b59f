from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acorn.core.access import session_leader, staff
from acorn.org import services
from acorn.org.forms import RoleChangeForm, StaffInviteForm
from acorn.org.models import Membership
from acorn.org.selectors import memberships_of, staff_of


@session_leader
def staff_list(request):
    setting = request.membership.setting
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.staff_invite(
            setting=setting, invited_by=request.user, request=request, **form.cleaned_data
        )
        messages.success(
            request,
            f"We've emailed an invitation to {form.cleaned_data['email']}. "
            "It works once and lasts 7 days.",
        )
        return redirect("org:staff")
    members = list(staff_of(setting))
    pending = (
        setting.invitations.filter(accepted_at=None, revoked_at=None)
        .exclude(role="parent")
        .order_by("-created_at")
    )
    return render(
        request,
        "org/staff.html",
        {
            "members": members,
            "form": form,
            "pending": pending,
            "roles": Membership.Role.choices,
            "setting": setting,
        },
    )


@session_leader
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

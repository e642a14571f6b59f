from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acorn.audit.services import audit_record
from acorn.children import rendering, selectors, services
from acorn.children.forms import ChildForm, ParentInviteForm
from acorn.children.models import Child
from acorn.core.access import session_leader, signed_in, staff
from acorn.core.policy import Forbidden
from acorn.media_processing import MediaRejected

# A child with no observation for this long is flagged on the list.
QUIET_DAYS = 14


@staff
def child_list(request):
    setting = request.membership.setting
    mine = request.GET.get("show") == "mine"
    status = request.GET.get("status", Child.Status.ACTIVE)
    if status not in Child.Status.values:
        status = ""
    children = selectors.children_list_cards(
        setting,
        status=status or None,
        key_person=request.user if mine else None,
        search=request.GET.get("q", "").strip()[:80],
    )
    quiet_after = timezone.localdate() - timedelta(days=QUIET_DAYS)
    return render(
        request,
        "children/list.html",
        {
            "cards": rendering.cards_html(children, quiet_after=quiet_after, quiet_days=QUIET_DAYS),
            "mine": mine,
            "status": status,
            "q": request.GET.get("q", ""),
            "statuses": Child.Status.choices,
        },
    )


def _save_form(request, form, save):
    if request.method == "POST" and form.is_valid():
        try:
            return save(form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
    return None


@session_leader
def child_new(request):
    setting = request.membership.setting
    form = ChildForm(request.POST or None, setting=setting)
    child = _save_form(
        request,
        form,
        lambda data: services.child_create(
            setting=setting, created_by=request.user, request=request, **data
        ),
    )
    if child:
        messages.success(request, f"{child.first_name} has been added.")
        return redirect("children:detail", child_id=child.pk)
    return render(request, "children/form.html", {"form": form, "title": "Add a child"})


def _leader_child(request, child_id):
    child = selectors.child_for(request.user, child_id)
    if child.setting_id != request.membership.setting_id:
        raise Forbidden("Switch to this child's setting to change their details.")
    return child


@session_leader
def child_edit(request, child_id):
    child = _leader_child(request, child_id)
    form = ChildForm(
        request.POST or None, instance=Child.objects.get(pk=child.pk), setting=child.setting
    )
    saved = _save_form(
        request,
        form,
        lambda data: services.child_update(
            child=child, updated_by=request.user, request=request, **data
        ),
    )
    if saved:
        messages.success(request, f"{child.first_name}'s details are saved.")
        return redirect("children:detail", child_id=child.pk)
    return render(
        request,
        "children/form.html",
        {"form": form, "title": f"Edit {child.full_name}", "child": child},
    )


@signed_in
def child_detail(request, child_id):
    child = selectors.child_for(request.user, child_id)
    is_staff = selectors.is_staff_for(request.user, child)
    audit_record(
        action="child.read",
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
    )
    context = {"child": child, "is_staff": is_staff}
    if is_staff:
        context["parents"] = selectors.parents_of(child)
        context["pending_invitations"] = child.setting.invitations.filter(
            child=child, accepted_at=None, revoked_at=None
        ).order_by("-created_at")
        context["may_invite"] = services.may_manage_parents(request.user, child)
    return render(request, "children/detail.html", context)


@staff
def parent_invite(request, child_id):
    child = selectors.child_for(request.user, child_id)
    if not services.may_manage_parents(request.user, child):
        raise Forbidden("Only session leaders and the child's key person can invite parents.")
    form = ParentInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.parent_invite(
            child=child, invited_by=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, f"We've emailed an invitation to {form.cleaned_data['email']}.")
        return redirect("children:detail", child_id=child.pk)
    return render(request, "children/parent_invite.html", {"form": form, "child": child})


@staff
@require_POST
def child_photo(request, child_id):
    child = selectors.child_for(request.user, child_id)
    if not services.may_manage_parents(request.user, child):
        raise Forbidden("Only session leaders and the child's key person can change the photo.")
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, "Choose a photo first.")
        return redirect("children:detail", child_id=child.pk)
    try:
        services.child_photo_set(
            child=child, uploaded_file=upload, set_by=request.user, request=request
        )
    except MediaRejected as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, f"{child.first_name}'s photo is saved. It may take a few seconds to appear."
        )
    return redirect("children:detail", child_id=child.pk)

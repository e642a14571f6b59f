from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from acorn.accounts.reauth import require_recent_authentication
from acorn.core.access import session_leader_admin, signed_in
from acorn.core.policy import Forbidden
from acorn.org.models import Membership
from acorn.suitability import forms, services
from acorn.suitability.declarations import current_text
from acorn.suitability.models import (
    DbsCheck,
    Declaration,
    SafeguardingTraining,
    StatusCheck,
    UpdateServiceSubscription,
)
from acorn.suitability.selectors import LABELS, clearance_of

RECORDERS = {
    "dbs_enhanced": (forms.DbsCheckForm, services.dbs_check_record, "Enhanced DBS check"),
    "update_service": (
        forms.UpdateServiceForm,
        services.update_service_record,
        "DBS Update Service subscription",
    ),
    "status_check": (forms.StatusCheckForm, services.status_check_record, "Status check"),
    "training": (forms.TrainingForm, services.training_record, "Safeguarding training"),
}


@session_leader_admin
def person_register(request, person_id):
    """One staff member's checks: the history and forms to record new ones."""
    setting = request.membership.setting
    member = (
        Membership.objects.filter(setting=setting, user_id=person_id, is_active=True)
        .select_related("user")
        .first()
    )
    if member is None:
        raise Http404
    require_recent_authentication(request)
    person = member.user
    bound = request.POST.get("kind") if request.method == "POST" else None
    if bound is not None and bound not in RECORDERS:
        raise Http404
    record_forms = {}
    for kind, (form_class, record, title) in RECORDERS.items():
        form = form_class(request.POST if kind == bound else None, prefix=kind)
        form.title = title
        if kind == bound and form.is_valid():
            try:
                record(
                    setting=setting,
                    person=person,
                    recorded_by=request.user,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"{title} recorded for {person.name}.")
                return redirect("suitability:person", person_id=person.pk)
        record_forms[kind] = form
    history = {
        "dbs": DbsCheck.objects.filter(setting=setting, person=person)
        .select_related("checked_by")
        .order_by("-issued_on", "-recorded_at"),
        "subscriptions": UpdateServiceSubscription.objects.filter(
            setting=setting, person=person
        ).order_by("-recorded_at"),
        "status_checks": StatusCheck.objects.filter(setting=setting, person=person)
        .select_related("checked_by")
        .order_by("-checked_on", "-recorded_at"),
        "declarations": Declaration.objects.filter(setting=setting, person=person).order_by(
            "-recorded_at"
        ),
        "training": SafeguardingTraining.objects.filter(setting=setting, person=person).order_by(
            "-completed_on"
        ),
    }
    return render(
        request,
        "suitability/person.html",
        {
            "person": person,
            "member": member,
            "clearance": clearance_of(person, setting),
            "labels": LABELS,
            "forms": record_forms,
            "history": history,
        },
    )


@signed_in
def my_declarations(request):
    """Staff sign their own declarations (A-5 c and d), even before they are cleared."""
    if request.membership is None:
        raise Forbidden("Declarations are signed by staff members.")
    setting = request.membership.setting
    kinds = []
    for kind in ("online_safety", "self_declaration"):
        version, text = current_text(kind)
        form = forms.DeclarationForm(
            request.POST if request.POST.get("kind") == kind else None, prefix=kind
        )
        if request.POST.get("kind") == kind and form.is_valid():
            try:
                services.declaration_sign(
                    setting=setting,
                    person=request.user,
                    kind=kind,
                    signature_name=form.cleaned_data["signature_name"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error("signature_name", error.messages)
            else:
                messages.success(request, "Thank you: your declaration is signed and recorded.")
                return redirect("suitability:declarations")
        latest = (
            Declaration.objects.filter(setting=setting, person=request.user, kind=kind)
            .order_by("-recorded_at")
            .first()
        )
        kinds.append(
            {
                "kind": kind,
                "title": Declaration.Kind(kind).label,
                "text": text,
                "version": version,
                "form": form,
                "latest": latest,
            }
        )
    return render(
        request,
        "suitability/declarations.html",
        {
            "kinds": kinds,
            "clearance": clearance_of(request.user, setting),
            "labels": LABELS,
            "setting": setting,
        },
    )

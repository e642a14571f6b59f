from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from acorn.children import consent
from acorn.children.models import Child, ImageConsent, ParentLink
from acorn.children.selectors import child_for
from acorn.core.access import parent, session_leader, staff


class SignForm(forms.Form):
    signature_name = forms.CharField(
        label="Type your full name to sign",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Please type your full name to sign."},
    )


class ConsentForm(forms.Form):
    answer = forms.ChoiceField(
        label="Your answer",
        choices=[("yes", "Yes, I agree"), ("no", "No, I don't agree")],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose yes or no."},
    )
    signature_name = forms.CharField(
        label="Type your full name to sign",
        max_length=150,
        error_messages={"required": "Please type your full name to sign."},
    )


def _onboarding_state(user):
    links = list(consent.active_links(user).select_related("child__setting", "child__key_person"))
    answers = {
        record.child_id: record
        for record in ImageConsent.objects.filter(parent=user).order_by("signed_at", "pk")
    }
    return links, answers


def _next_url(request):
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return "home"


@parent
def welcome(request):
    """The parent's onboarding (P-1): sign the agreement, then answer for each child."""
    links, answers = _onboarding_state(request.user)
    needs_agreement = any(not link.agreement_signed for link in links)
    waiting = [link for link in links if not link.consent_answered]
    if not needs_agreement and not waiting:
        return redirect(_next_url(request))
    wording = consent.wording_current(links[0].child.setting)
    sign_form = SignForm(request.POST or None, prefix="sign", initial={"signature_name": ""})
    consent_form = ConsentForm(request.POST or None, prefix="consent")
    if request.method == "POST":
        try:
            if needs_agreement and sign_form.is_valid():
                consent.agreement_sign(
                    parent=request.user,
                    signature_name=sign_form.cleaned_data["signature_name"],
                    request=request,
                )
                messages.success(request, "Thank you for signing the agreement.")
                return redirect(request.get_full_path())
            if not needs_agreement and consent_form.is_valid():
                child = child_for(request.user, request.POST.get("child"))
                consent.consent_record(
                    parent=request.user,
                    child=child,
                    given=consent_form.cleaned_data["answer"] == "yes",
                    signature_name=consent_form.cleaned_data["signature_name"],
                    request=request,
                )
                messages.success(request, f"Your answer for {child.first_name} is saved.")
                return redirect(request.get_full_path())
        except ValidationError as error:
            (sign_form if needs_agreement else consent_form).add_error(None, error)
    return render(
        request,
        "children/welcome.html",
        {
            "needs_agreement": needs_agreement,
            "wording": wording,
            "child": waiting[0].child if waiting else None,
            "sign_form": sign_form,
            "consent_form": consent_form,
            "next": request.GET.get("next", ""),
        },
    )


@parent
def my_consents(request):
    """P-7: a parent sees and changes their answers at any time."""
    links, answers = _onboarding_state(request.user)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child = child_for(request.user, request.POST.get("child"))
        try:
            consent.consent_record(
                parent=request.user,
                child=child,
                given=form.cleaned_data["answer"] == "yes",
                signature_name=form.cleaned_data["signature_name"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Saved. From now on, photos and videos with {child.first_name} "
                + (
                    "may appear in other children's journals."
                    if form.cleaned_data["answer"] == "yes"
                    else "appear only in their own journal."
                ),
            )
            return redirect("children:my_consents")
    rows = [(link, answers.get(link.child_id)) for link in links]
    wording = consent.wording_current(links[0].child.setting) if links else None
    return render(
        request, "children/my_consents.html", {"rows": rows, "form": form, "wording": wording}
    )


@staff
def consent_register(request):
    """Staff see each child's consent at a glance; printable."""
    setting = request.membership.setting
    children = list(Child.objects.filter(setting=setting).order_by("first_name", "last_name"))
    links = ParentLink.objects.filter(child__setting=setting).select_related("parent")
    latest = {}
    for record in ImageConsent.objects.filter(child__setting=setting).order_by("signed_at", "pk"):
        latest[(record.child_id, record.parent_id)] = record
    by_child = {child.pk: [] for child in children}
    for link in links:
        by_child[link.child_id].append((link.parent, latest.get((link.child_id, link.parent_id))))
    rows = [(child, by_child[child.pk]) for child in children]
    return render(request, "children/consent_register.html", {"rows": rows, "setting": setting})


class WordingForm(forms.Form):
    agreement_text = forms.CharField(label="No-sharing agreement", widget=forms.Textarea)
    consent_question = forms.CharField(label="Image consent question", widget=forms.Textarea)


@session_leader
def wording_edit(request):
    setting = request.membership.setting
    current = consent.wording_current(setting)
    form = WordingForm(
        request.POST or None,
        initial={
            "agreement_text": current.agreement_text,
            "consent_question": current.consent_question,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            wording = consent.wording_publish(
                setting=setting, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if wording.pk != current.pk:
                messages.success(
                    request,
                    f"Version {wording.version} saved. Parents will be "
                    "asked to sign it next time they open Acorn.",
                )
            return redirect("children:wording")
    return render(request, "children/wording.html", {"form": form, "current": current})

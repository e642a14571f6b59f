import time

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from acorn.accounts import services
from acorn.accounts.forms import (
    InvitationAcceptForm,
    PasswordChangeForm,
    QueuedPasswordResetForm,
    SignInForm,
)
from acorn.audit.services import audit_record
from acorn.core.access import public, signed_in
from acorn.org.selectors import memberships_of


def _start_session(request, user):
    login(request, user, backend="acorn.accounts.backends.EmailBackend")
    now = time.time()
    request.session["acorn_auth_at"] = now
    request.session["acorn_last_seen"] = now
    if memberships_of(user):
        # Staff: no "remember me"; the session ends with the browser.
        request.session.set_expiry(0)


@public
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        user = authenticate(request, email=email, password=form.cleaned_data["password"])
        if user is None:
            services.login_failure_record(email=email, request=request)
            form.add_error(
                None,
                "That email and password don't match an Acorn account. "
                "Check them and try again, or reset your password.",
            )
        else:
            _start_session(request, user)
            audit_record(action="login", actor=user, request=request, detail={"via": "web"})
            target = request.POST.get("next") or request.GET.get("next")
            if target and url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(target)
            return redirect("home")
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": request.GET.get("next", "")}
    )


@signed_in
@require_POST
def sign_out(request):
    audit_record(action="logout", request=request, detail={"via": "web"})
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("login")


@public
def invitation_accept(request, token):
    invitation = services.invitation_find_open(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("password", error)
        except services.InvitationError as error:
            form.add_error("password", str(error))
        else:
            if request.user.is_authenticated:
                logout(request)
            _start_session(request, user)
            messages.success(request, f"Welcome to Acorn, {user.get_short_name()}.")
            return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@signed_in
def account(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if not user.check_password(form.cleaned_data["current_password"]):
            form.add_error("current_password", "That isn't your current password.")
        else:
            try:
                services.password_check_new(form.cleaned_data["new_password"], user)
            except ValidationError as error:
                form.add_error("new_password", error)
            else:
                services.password_change(
                    user=user, new_password=form.cleaned_data["new_password"], request=request
                )
                _start_session(request, user)
                messages.success(
                    request,
                    "Your password has been changed. Any other devices have been signed out.",
                )
                return redirect("account")
    from acorn.journal.notifications import wants_email

    return render(
        request,
        "accounts/account.html",
        {"form": form, "email_on_publish": wants_email(request.user)},
    )


@signed_in
@require_POST
def sign_out_everywhere(request):
    services.sessions_end_all(user=request.user, request=request)
    logout(request)
    messages.success(request, "You have been signed out on every device, this one included.")
    return redirect("login")


class _ResetConfirm(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        # A reset ends every existing session and token, like a password change.
        services.sessions_end_all(user=form.user, request=self.request)
        return response


password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=QueuedPasswordResetForm,
        email_template_name="emails/password_reset_body.txt",
        subject_template_name="emails/password_reset_subject.txt",
        success_url=reverse_lazy("password_reset_done"),
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(_ResetConfirm.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from acorn.accounts import mfa, services, throttle
from acorn.accounts.forms import (
    CodeForm,
    InvitationAcceptForm,
    PasswordChangeForm,
    QueuedPasswordResetForm,
    ReauthForm,
    SignInForm,
)
from acorn.accounts.models import User
from acorn.accounts.reauth import kept_form, mark_reauthenticated
from acorn.audit.services import audit_record, person_event_record
from acorn.core.access import public, signed_in
from acorn.core.policy import Throttled
from acorn.devices.services import device_session_bind
from acorn.org.selectors import memberships_of

PENDING_USER = "acorn_pending_user"
PENDING_AT = "acorn_pending_at"
PENDING_SECONDS = 5 * 60


def _start_session(request, user):
    login(request, user, backend="acorn.accounts.backends.EmailBackend")
    now = time.time()
    request.session["acorn_auth_at"] = now
    request.session["acorn_last_seen"] = now
    mark_reauthenticated(request)
    device_session_bind(request)
    if memberships_of(user):
        # Staff: no "remember me"; the session ends with the browser.
        request.session.set_expiry(0)


def clear_device(response):
    """Signing in or out wipes what the site kept in this browser (a shared iPad must not
    hand one person's unsent words to the next). "storage" leaves cookies alone, so the
    session cookie set on the same response still holds."""
    response["Clear-Site-Data"] = '"storage"'
    return response


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _signed_in(request, user, via):
    throttle.failures_clear(email=user.email)
    _start_session(request, user)
    person_event_record(
        action="login", person=user, actor=user, request=request, detail={"via": via}
    )
    return clear_device(redirect(_safe_next(request) or "home"))


@public
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        try:
            attempt = throttle.attempt_begin(email=email, request=request)
        except Throttled as refusal:
            form.add_error(None, refusal.detail)
            status = 429
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                attempt.failed()
                form.add_error(
                    None,
                    "That email and password don't match an Acorn account. "
                    "Check them and try again, or reset your password.",
                )
            elif mfa.mfa_enrolled(user):
                # Password right; the session starts only after the code.
                attempt.passed()
                request.session.cycle_key()
                request.session[PENDING_USER] = str(user.pk)
                request.session[PENDING_AT] = time.time()
                target = _safe_next(request)
                if target:
                    return redirect("/sign-in/code/?" + urlencode({"next": target}))
                return redirect("sign_in_code")
            else:
                attempt.passed()
                return _signed_in(request, user, "web")
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )


@public
def sign_in_code(request):
    """The second step: a code from the authenticator app, or a recovery code."""
    pending = request.session.get(PENDING_USER)
    if not pending or time.time() - request.session.get(PENDING_AT, 0) > PENDING_SECONDS:
        request.session.pop(PENDING_USER, None)
        messages.info(request, "Please sign in again.")
        return redirect("login")
    user = User.objects.filter(pk=pending, is_active=True).first()
    if user is None:
        return redirect("login")
    recovery = request.GET.get("recovery") == "1"
    form = CodeForm(request.POST or None, recovery=recovery)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            attempt = throttle.attempt_begin(email=user.email, request=request)
        except Throttled as refusal:
            form.add_error(None, refusal.detail)
            status = 429
        else:
            if mfa.second_factor_verify(user=user, code=form.cleaned_data["code"], request=request):
                attempt.passed()
                request.session.pop(PENDING_USER, None)
                return _signed_in(request, user, "web+code")
            attempt.failed(reason="code")
            form.add_error(
                "code",
                "That code isn't right, or it has been used already. Wait for the next "
                "code in your app, or use one of your recovery codes.",
            )
    return render(
        request,
        "accounts/sign_in_code.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "recovery": recovery,
            "manages": _manages_somewhere(user),
        },
        status=status,
    )


def _manages_somewhere(user) -> bool:
    """Who can reset a lost phone is a manager, so a manager is pointed elsewhere."""
    from acorn.org.models import Membership

    return any(m.role == Membership.Role.MANAGER for m in memberships_of(user).values())


RECOVERY_DOWNLOAD = "acorn_recovery_codes"
RECOVERY_DOWNLOAD_SECONDS = 10 * 60


def _qr_data_uri(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


@signed_in
def two_step_setup(request):
    """Set up two-step sign-in. Staff who must have it are sent here until they do."""
    user = request.user
    if mfa.mfa_enrolled(user):
        return render(
            request,
            "accounts/two_step_done.html",
            {
                "codes": None,
                "left": mfa.recovery_codes_left(user),
                "manages": _manages_somewhere(user),
            },
        )
    device = mfa.totp_begin(user=user, request=request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_confirm(user=user, code=form.cleaned_data["code"], request=request)
        if codes is not None:
            mark_reauthenticated(request)
            # Offered once as a file, only from this page and only for a few minutes.
            request.session[RECOVERY_DOWNLOAD] = {"codes": codes, "at": time.time()}
            return render(
                request, "accounts/two_step_done.html", {"codes": codes, "left": len(codes)}
            )
        form.add_error("code", "That code isn't right. Check the time on your phone and try again.")
    return render(
        request,
        "accounts/two_step_setup.html",
        {
            "form": form,
            "secret": device.secret,
            "uri": mfa.otpauth_uri(user, device.secret),
            "qr": _qr_data_uri(mfa.otpauth_uri(user, device.secret)),
            "required": mfa.mfa_required(user),
        },
    )


@signed_in
def recovery_codes_download(request):
    """The recovery codes as a text file, once, straight after set-up; never again."""
    kept = request.session.pop(RECOVERY_DOWNLOAD, None)
    if not kept or time.time() - kept.get("at", 0) > RECOVERY_DOWNLOAD_SECONDS:
        raise Http404("Those recovery codes can no longer be downloaded.")
    lines = [
        "Acorn recovery codes",
        f"For {request.user.email}",
        "",
        "Each code works once, if you can't use your phone to sign in.",
        "Keep them somewhere safe.",
        "",
        *kept["codes"],
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="acorn-recovery-codes.txt"'
    response["Cache-Control"] = "no-store"
    return response


@signed_in
def confirm_it_is_you(request):
    """Re-authentication before a sensitive change: password, and code if set up."""
    user = request.user
    form = ReauthForm(request.POST or None, with_code=mfa.mfa_enrolled(user))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            attempt = throttle.attempt_begin(email=user.email, request=request)
        except Throttled as refusal:
            form.add_error(None, refusal.detail)
            status = 429
        else:
            ok = user.check_password(form.cleaned_data["password"])
            if ok and "code" in form.fields:
                ok = mfa.second_factor_verify(
                    user=user, code=form.cleaned_data["code"], request=request
                )
            if ok:
                attempt.passed()
                mark_reauthenticated(request)
                audit_record(action="reauthenticate", request=request)
                kept = kept_form(request, take=True)
                if kept is not None:
                    # Finish the change that asked for this, with what was posted.
                    return render(request, "accounts/confirm_resume.html", {"kept": kept})
                messages.success(request, "Thank you. You can carry on for the next 5 minutes.")
                return redirect(_safe_next(request) or "home")
            attempt.failed(reason="reauth")
            form.add_error(None, "That password or code isn't right.")
    return render(
        request,
        "accounts/confirm.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "change_kept": kept_form(request, take=False) is not None,
        },
        status=status,
    )


@signed_in
@require_POST
def sign_out(request):
    audit_record(action="logout", request=request, detail={"via": "web"})
    logout(request)
    messages.success(request, "You have signed out.")
    return clear_device(redirect("login"))


@public
def invitation_accept(request, token):
    invitation = services.invitation_find_open(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, initial={"name": invitation.name})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except Throttled as refusal:
            form.add_error(None, refusal.detail)
            status = 429
        except ValidationError as error:
            form.add_error("password", error)
        except services.InvitationError as error:
            form.add_error("password", str(error))
        else:
            if request.user.is_authenticated:
                logout(request)
            _start_session(request, user)
            messages.success(request, f"Welcome to Acorn, {user.get_short_name()}.")
            return clear_device(redirect("home"))
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=status,
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
    from acorn.children.selectors import is_parent
    from acorn.journal.models import NotificationPreference

    preference = NotificationPreference.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "email_choice": preference.email if preference else NotificationPreference.Email.EACH,
            "staff_daily_email": bool(preference and preference.staff_daily_email),
            "is_parent": is_parent(request.user),
        },
    )


@signed_in
@require_POST
def sign_out_everywhere(request):
    services.sessions_end_all(user=request.user, request=request)
    logout(request)
    messages.success(request, "You have been signed out on every device, this one included.")
    return clear_device(redirect("login"))


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

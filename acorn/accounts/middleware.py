import time

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render

from acorn.accounts.mfa import needs_enrolment
from acorn.core.policy import OffSite
from acorn.org.rules import require_on_site
from acorn.org.selectors import current_membership

# Reachable by a staff member who still has to set up two-step sign-in, and by
# one who is off-site: enough to finish setting up, read help, and sign out.
ALWAYS_OPEN = ("/sign-out/", "/help/", "/static/", "/api/")
ENROLMENT_PAGE = "/account/two-step/"

# Touching the session on every request would write to the session store each time;
# once a minute is plenty for an idle timeout measured in minutes.
TOUCH_EVERY_SECONDS = 60


class SessionPolicyMiddleware:
    """Ends web sessions that "log out everywhere" or a password change made stale, ends
    idle staff sessions (A-2), and works out which setting a staff member is working in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        user = request.user
        if user.is_authenticated:
            # The person themselves from here on, not Django's lazy stand-in: a page asks
            # for them hundreds of times, each a detour through the stand-in (issue 13).
            request.user = user = getattr(user, "_wrapped", user)
            now = time.time()
            auth_at = request.session.get("acorn_auth_at", 0)
            if auth_at < user.sessions_valid_after.timestamp():
                return self._sign_out(request, "You were signed out. Please sign in again.")
            request.membership = current_membership(user, request.session.get("acorn_setting"))
            if request.membership is not None:
                idle_limit = request.membership.setting.staff_idle_minutes * 60
                last_seen = request.session.get("acorn_last_seen", auth_at)
                if now - last_seen > idle_limit:
                    return self._sign_out(
                        request,
                        "You were signed out after "
                        f"{request.membership.setting.staff_idle_minutes} minutes without "
                        "activity, to keep children's information safe. Please sign in again.",
                    )
                if now - last_seen > TOUCH_EVERY_SECONDS:
                    request.session["acorn_last_seen"] = now
            if not request.path.startswith(ALWAYS_OPEN):
                if needs_enrolment(user) and request.path != ENROLMENT_PAGE:
                    return redirect(ENROLMENT_PAGE)
                try:
                    require_on_site(request)
                except OffSite as refusal:
                    from acorn.core.middleware import audit_refusal

                    audit_refusal(request, refusal)
                    return render(request, "403.html", {"refusal": refusal}, status=403)
        return self.get_response(request)

    def _sign_out(self, request, message):
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)
        messages.info(request, message)
        from acorn.accounts.views import clear_device

        return clear_device(redirect("login"))

"""Re-authentication before sensitive actions (changing roles, recording checks, and
later exports): the password, and the code where two-step sign-in is on, entered in the
last five minutes. On the web that is the sign-in or the "confirm it's you" page; in the
API it is the token itself, so a client asks for a fresh token."""

import time

from django.utils import timezone

from acorn.core.policy import ReauthenticationRequired

REAUTH_SECONDS = 5 * 60
SESSION_KEY = "acorn_reauth_at"


def mark_reauthenticated(request) -> None:
    request.session[SESSION_KEY] = time.time()


def recently_authenticated(request) -> bool:
    token = getattr(request, "api_token", None)
    if token is not None:
        return (timezone.now() - token.created_at).total_seconds() <= REAUTH_SECONDS
    at = request.session.get(SESSION_KEY, 0) if hasattr(request, "session") else 0
    return time.time() - at <= REAUTH_SECONDS


def require_recent_authentication(request) -> None:
    if recently_authenticated(request):
        return
    if getattr(request, "api_token", None) is not None:
        raise ReauthenticationRequired(
            "This needs a token issued in the last 5 minutes: sign in again with "
            "POST /auth/token (with your code) and repeat the request."
        )
    raise ReauthenticationRequired()


# A form posted without a recent sign-in is kept here, so that after "Confirm it's you"
# the change is finished with what was posted instead of lost. Briefly, once, and never
# with a password, code or token in it.
RESUME_KEY = "acorn_reauth_resume"
RESUME_SECONDS = 5 * 60
_SECRET_NAMES = ("password", "secret", "token", "otp", "csrf")


def _secret(name: str) -> bool:
    lowered = name.lower()
    return lowered == "code" or any(word in lowered for word in _SECRET_NAMES)


def keep_posted_form(request) -> None:
    request.session[RESUME_KEY] = {
        "path": request.path,
        "data": [
            (name, value)
            for name, values in request.POST.lists()
            if not _secret(name)
            for value in values
        ],
        "at": time.time(),
        "user": str(request.user.pk),
    }


def kept_form(request, *, take: bool) -> dict | None:
    """The form waiting for confirmation, if it is this person's and recent; `take`
    removes it (single use)."""
    session = request.session
    kept = session.pop(RESUME_KEY, None) if take else session.get(RESUME_KEY)
    if not kept or kept.get("user") != str(request.user.pk):
        return None
    if time.time() - kept.get("at", 0) > RESUME_SECONDS:
        session.pop(RESUME_KEY, None)
        return None
    return kept

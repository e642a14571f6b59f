from urllib.parse import urlencode, urlsplit

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from acorn.audit.services import refusal_record
from acorn.core.policy import AgreementRequired, PolicyRefusal, ReauthenticationRequired


def _asked_for(request) -> tuple[str, str]:
    """What the refused request asked for: the id in its path (a child, an entry, a photo)
    where there is one, else the path itself."""
    match = getattr(request, "resolver_match", None)
    for name, value in (match.kwargs if match else {}).items():
        if name.endswith("_id"):
            return name.removesuffix("_id"), str(value)[:64]
    return "path", request.path[:64]


def audit_refusal(request, refusal: PolicyRefusal | None = None, *, code: str | None = None):
    """Every refusal leaves an audit line (A-8): who, which rule or "not found", what they
    asked for and where from. Probing is noticed there too (audit.services)."""
    code = code or refusal.code
    object_type, object_id = _asked_for(request)
    refusal_record(
        request=request,
        action=f"refused.{code}",
        object_type=object_type,
        object_id=object_id,
        detail={"method": request.method, "path": request.get_full_path()[:300]},
    )


def is_audited_refusal(exception) -> bool:
    """A 404 or 403 that refuses something (not, say, a photo that is still processing)."""
    return isinstance(exception, Http404 | PermissionDenied) and not getattr(
        exception, "not_a_refusal", False
    )


def _come_back_to(request) -> str:
    """Where to return after "Confirm it's you": the page itself for a GET; for a form
    that was posted, the page the form was on (the person submits it again)."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


class PolicyRefusalMiddleware:
    """Turns a policy refusal raised by a page into a clear 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AgreementRequired):
            audit_refusal(request, exception)
            # Lead the parent straight to the missing step, then back here.
            return redirect(f"{reverse('children:welcome')}?{urlencode({'next': request.path})}")
        if isinstance(exception, ReauthenticationRequired):
            audit_refusal(request, exception)
            if request.method == "POST" and request.user.is_authenticated:
                from acorn.accounts.reauth import keep_posted_form

                keep_posted_form(request)
            return redirect("/confirm-it-is-you/?" + urlencode({"next": _come_back_to(request)}))
        if isinstance(exception, PolicyRefusal):
            audit_refusal(request, exception)
            return render(
                request,
                "403.html",
                {"refusal": exception},
                status=exception.status,
            )
        if is_audited_refusal(exception):
            # Recorded here; Django's handler404/handler403 still render the page.
            audit_refusal(
                request, code="not_found" if isinstance(exception, Http404) else "forbidden"
            )
        return None


UPLOAD_PATHS = ("/media/upload", "/api/v1/media")


class UploadSizeMiddleware:
    """Refuses an oversized upload from its declared length, before Django reads the body
    (a 2 GB video shouldn't be written to disk only to be refused)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in UPLOAD_PATHS:
            from acorn.journal.media import media_limits

            limits = media_limits()
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            # Allow a little for the multipart wrapping around the file itself.
            if length > max(limits.max_photo_bytes, limits.max_video_bytes) + 64 * 1024:
                mb = limits.max_video_bytes // (1024 * 1024)
                return JsonResponse(
                    {
                        "detail": f"This file is too big to add. Videos can be up to {mb} MB "
                        f"and photos up to {limits.max_photo_bytes // (1024 * 1024)} MB.",
                        "code": "too_large",
                    },
                    status=413,
                )
        return self.get_response(request)

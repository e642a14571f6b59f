from urllib.parse import urlencode, urlsplit

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from acorn.audit.services import audit_record
from acorn.core.policy import AgreementRequired, PolicyRefusal, ReauthenticationRequired


def audit_refusal(request, refusal: PolicyRefusal) -> None:
    """Every policy refusal leaves an audit line (A-8): who, which rule, where from."""
    membership = getattr(request, "membership", None)
    audit_record(
        action=f"refused.{refusal.code}",
        request=request,
        setting_id=getattr(membership, "setting_id", None),
        object_type="path",
        object_id=request.path[:64],
        detail={"method": request.method},
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
            return redirect("/confirm-it-is-you/?" + urlencode({"next": _come_back_to(request)}))
        if isinstance(exception, PolicyRefusal):
            audit_refusal(request, exception)
            return render(
                request,
                "403.html",
                {"refusal": exception},
                status=exception.status,
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


API_PREFIX = "/api/v1/"
API_ERROR_SENTENCES = {
    400: "That request couldn't be read. Send JSON of the documented shape, and not too much of it.",
    404: "Not found.",
    405: "That method isn't allowed here. See the Allow header for the ones that are.",
    413: "That is too big to send.",
    500: "Something went wrong on our side. Please try again in a moment.",
}
API_ERROR_CODES = {405: "method_not_allowed", 500: "server_error"}
KEPT_HEADERS = ("Allow", "Content-Range", "Retry-After", "WWW-Authenticate")


class ApiErrorShapeMiddleware:
    """Every API error is `{"detail", "code"}` (API.md), including those Django answers
    before the API sees the request: unknown paths, wrong methods, bodies too big to read,
    and server errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        from acorn.core.api import STATUS_CODES

        status = response.status_code
        shaped = JsonResponse(
            {
                "detail": API_ERROR_SENTENCES.get(status, "That request can't be answered."),
                "code": API_ERROR_CODES.get(status) or STATUS_CODES.get(status, "error"),
            },
            status=status,
        )
        for header in KEPT_HEADERS:
            if header in response:
                shaped[header] = response[header]
        return shaped

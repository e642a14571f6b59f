import json
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
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


class TransportSecurityMiddleware:
    """HTTPS is decided by configuration, not by what a client says (goes first).

    X-Forwarded-Proto counts only from an installation proxy (ACORN_TRUSTED_PROXIES), so
    the https redirect (ACORN_HTTPS_REDIRECT) can't be skipped by a client sending it; and
    HSTS is sent on every answer whenever Acorn is configured for HTTPS (ACORN_HTTPS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from acorn.audit.services import address_in

        forwarded = request.META.pop("HTTP_X_FORWARDED_PROTO", "")
        if forwarded.strip().lower() == "https" and address_in(
            request.META.get("REMOTE_ADDR") or "", settings.ACORN_TRUSTED_PROXIES
        ):
            request.META["wsgi.url_scheme"] = "https"
        response = self.get_response(request)
        if settings.HTTPS and not settings.DEBUG:
            response["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response


class NoStoreMiddleware:
    """Nothing Acorn answers is kept by a browser or a proxy cache, static files apart:
    almost every page and API answer carries children's data, and a shared iPad's back
    button or cache must not show it to the next person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, private=True, no_store=True)
        return response


NUL_MESSAGE = (
    "Text can't contain null characters, which are invisible. Please remove them and try again."
)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class NulByteMiddleware:
    """NUL characters are refused in every query string and JSON body: PostgreSQL can't
    store them, so they would otherwise end in a server error. (Form fields refuse them
    themselves, with the field's own error.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": NUL_MESSAGE, "code": "invalid"}, status=422)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if any(_has_nul(key) or _has_nul(values) for key, values in request.GET.lists()):
            return True
        if request.content_type != "application/json" or request.method in ("GET", "HEAD"):
            return False
        body = request.body
        if b"\x00" in body:
            return True
        if b"\\u0000" not in body:
            return False
        try:
            return _has_nul(json.loads(body))
        except ValueError:
            return False  # not JSON: the API says so itself

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from acorn.core.policy import AgreementRequired, PolicyRefusal


class PolicyRefusalMiddleware:
    """Turns a policy refusal raised by a page into a clear 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AgreementRequired):
            # Lead the parent straight to the missing step, then back here.
            return redirect(f"{reverse('children:welcome')}?{urlencode({'next': request.path})}")
        if isinstance(exception, PolicyRefusal):
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

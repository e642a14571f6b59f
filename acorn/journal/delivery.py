"""Serving photo and video bytes (J-4). The caller has already authorised the request
through `selectors.media_for`; this module only decides how the bytes leave: streamed
(with byte ranges, which iPad Safari needs for video), handed to nginx, or redirected to
a short-lived signed URL on S3-compatible storage. Never cached, always inline."""

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)

from acorn.audit.services import audit_record
from acorn.journal.media import CONTENT_TYPES

RENDITIONS = ("thumb", "display", "poster", "original")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


class NotReady(Exception):
    pass


class StillProcessing(Http404):
    """Not found *yet*: a photo still being processed is no refusal, so it isn't audited."""

    not_a_refusal = True


def storage_name(item, rendition: str) -> str:
    """The stored file for this reader: `item` comes from `selectors.media_visible_to`
    (or another family view, `selectors.with_family_copy`), whose `serve_shared` says
    they get a shared rendition (never the original) and `shared_files` which one: their
    family's copy, with other children's faces obscured (C-2, issue 16). An item read
    for a list (`listed_only`) doesn't say which copy, so it is never served."""
    if getattr(item, "listed_only", False):
        raise ValueError("A photo read for a list is never served: read it with media_for.")
    if getattr(item, "serve_shared", False):
        files = getattr(item, "shared_files", None) or {}
        if rendition not in ("thumb", "display"):
            raise Http404("No such photo or video.")
        if item.status != "ready" or rendition not in files:
            raise NotReady
        return f"{item.storage_prefix}/{files[rendition]}"
    if rendition == "original":
        # Kept only once processing succeeded (and its location metadata was removed);
        # a failed item's files are gone.
        if item.status != "ready":
            raise NotReady
        return item.original_path()
    if item.status != "ready" or rendition not in item.renditions:
        raise NotReady
    return f"{item.storage_prefix}/{item.renditions[rendition]}"


def _private(response, content_type=None):
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if content_type:
        response["Content-Type"] = content_type
    return response


def _ranged(stored, size, start, end):
    stored.seek(start)
    remaining = end - start + 1
    try:
        while remaining > 0:
            chunk = stored.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        stored.close()


def _stream(request, name, content_type):
    size = default_storage.size(name)
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), int(last) if last else size - 1
        else:
            start, end = max(size - int(last), 0), size - 1
        end = min(end, size - 1)
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _private(response)
        stored = default_storage.open(name, "rb")
        response = StreamingHttpResponse(_ranged(stored, size, start, end), status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(default_storage.open(name, "rb"))
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    return _private(response, content_type)


def media_response(request, item, rendition: str):
    name = storage_name(item, rendition)
    content_type = CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    audit_record(
        action=f"media.read.{rendition}",
        request=request,
        setting_id=item.setting_id,
        object_type="media",
        object_id=item.pk,
    )
    mode = settings.ACORN_MEDIA_DELIVERY
    if mode == "accel":
        response = HttpResponse()
        response["X-Accel-Redirect"] = settings.ACORN_MEDIA_ACCEL_PREFIX + name
        return _private(response, content_type)
    if mode == "signed":
        url = default_storage.url(
            name,
            parameters={
                "ResponseCacheControl": "private, no-store",
                "ResponseContentDisposition": "inline",
                "ResponseContentType": content_type,
            },
            expire=settings.ACORN_MEDIA_SIGNED_SECONDS,
        )
        return _private(HttpResponseRedirect(url))
    return _stream(request, name, content_type)

"""The capture and entry pages' face marking (C-2): JSON for the page's small script.
The rules are the API's (`PUT /api/v1/media/{id}/faces`): same selector, same service."""

import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse

from acorn.children.models import Child
from acorn.core.access import staff
from acorn.journal import faces, selectors


@staff
def media_faces(request, media_id):
    """GET: the faces of a photo and who still needs marking (the capture page passes the
    children ticked so far as `child`). POST: `{"faces": [{box, child_id}]}`."""
    # Faces say whose they are: staff of the photo's setting only, like originals.
    item = selectors.media_for(request.user, media_id, rendition="original")
    if request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
            entries = body.get("faces") if isinstance(body, dict) else None
            marks = faces.marks_from(item.setting_id, entries)
            faces.media_faces_mark(media=item, marks=marks, marked_by=request.user, request=request)
        except (ValueError, ValidationError) as error:
            detail = " ".join(error.messages) if isinstance(error, ValidationError) else ""
            return JsonResponse(
                {"detail": detail or "That couldn't be read. Please try again.", "code": "invalid"},
                status=422,
            )
        item.refresh_from_db()
    ticked = request.GET.getlist("child")
    children = None
    if ticked:
        known = faces._uuids(ticked)
        appearing = list(item.appears.all())
        chosen = Child.objects.filter(setting_id=item.setting_id, pk__in=known)
        children = list({c.pk: c for c in [*appearing, *chosen]}.values())
    return JsonResponse(faces.faces_payload(item, children))

"""Keepsake pages (L-3): start an export from the child's journal or profile, watch it
being made, then download it."""

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acorn.audit.services import audit_record
from acorn.children.selectors import child_for
from acorn.core.access import signed_in
from acorn.leaving import selectors, services
from acorn.leaving.models import EXPORT_KEPT_DAYS, KeepsakeExport


def keepsake_file_response(request, export):
    """The zip as a download (the only attachment Acorn serves: the leaving export)."""
    from django.http import Http404

    if export.status != KeepsakeExport.Status.READY or not export.storage_name:
        raise Http404("This keepsake isn't ready yet.")
    audit_record(
        action="keepsake.download",
        request=request,
        setting_id=export.child.setting_id,
        child_id=export.child_id,
        object_type="keepsake_export",
        object_id=export.pk,
    )
    services.keepsake_downloaded(export)
    response = FileResponse(
        default_storage.open(export.storage_name, "rb"),
        as_attachment=True,
        filename="keepsake.zip",
        content_type="application/zip",
    )
    response["Content-Length"] = str(export.size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
@require_POST
def keepsake_start(request, child_id):
    child = child_for(request.user, child_id)
    export = services.keepsake_request(child=child, requested_by=request.user, request=request)
    return redirect("leaving:keepsake", export_id=export.pk)


@signed_in
def keepsake_page(request, export_id):
    export = selectors.keepsake_for(request.user, export_id)
    return render(
        request,
        "leaving/keepsake.html",
        {
            "export": export,
            "child": export.child,
            "available_until": selectors.keepsake_available_until(request.user, export),
            "kept_days": EXPORT_KEPT_DAYS,
        },
    )


@signed_in
def keepsake_download(request, export_id):
    return keepsake_file_response(request, selectors.keepsake_for(request.user, export_id))

"""Reads of leaving: the installation's directory of settings, deletion records."""

from acorn.leaving.models import DeletionRecord
from acorn.org.models import Setting


def directory(q: str = "", *, limit: int = 20):
    """Settings on this installation by name, for choosing where a child goes (names and
    ids only: nothing else of another setting)."""
    settings = Setting.objects.order_by("name")
    q = (q or "").strip()
    if q:
        settings = settings.filter(name__icontains=q)
    return settings[:limit]


def deletions_of(setting_id):
    return DeletionRecord.objects.filter(setting_id=setting_id).order_by("-deleted_at")


def keepsake_for(user, export_id):
    """An export, for the person who asked for it while they may still see the child
    (a parent until the end of the grace period); otherwise 404."""
    import uuid

    from django.http import Http404

    from acorn.children.selectors import child_for
    from acorn.leaving.models import KeepsakeExport

    try:
        export_id = uuid.UUID(str(export_id))
    except ValueError:
        raise Http404("No such export.") from None
    export = KeepsakeExport.objects.filter(pk=export_id, requested_by=user).first()
    if export is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such export.")
    child_for(user, export.child_id)
    return export

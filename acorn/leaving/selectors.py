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

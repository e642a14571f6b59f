"""Reads of leaving: the installation's directory of settings, deletion records."""

from acorn.core.kept import statement
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


@statement
def transfers_shown(setting_id):
    """The first ten open `transfers_incoming`, as Today's panel shows them."""
    return transfers_incoming(setting_id)[:10]


def transfers_incoming(setting, *, include_done_since=None):
    """Transfers offered to this setting that are still open (and, for the page, those
    completed lately): the child's name and date of birth, the sending setting and the
    date. Nothing else of the child until it arrives; declined and withdrawn offers are
    not shown at all."""
    from django.db.models import Q

    from acorn.leaving.models import Transfer

    shown = Q(status__in=Transfer.OPEN)
    if include_done_since is not None:
        shown |= Q(status=Transfer.Status.COMPLETED, completed_at__gte=include_done_since)
    return (
        Transfer.objects.filter(shown, to_setting=setting)
        .select_related("child", "from_setting", "key_person")
        .order_by("leaving_on", "offered_at", "pk")
    )


def transfer_for(user, transfer_id):
    """A transfer, for the staff of the receiving setting (whose session leaders answer
    it); everyone else gets 404. Once declined or withdrawn, pages show nothing of the
    child."""
    import uuid

    from django.http import Http404

    from acorn.leaving.models import Transfer
    from acorn.org.selectors import memberships_of

    try:
        transfer_id = uuid.UUID(str(transfer_id))
    except ValueError:
        raise Http404("No such transfer.") from None
    transfer = (
        Transfer.objects.select_related("child", "from_setting", "to_setting", "key_person")
        .filter(pk=transfer_id, to_setting_id__in=list(memberships_of(user)))
        .first()
    )
    if transfer is None:
        raise Http404("No such transfer.")
    return transfer


def keepsake_available_until(user, export):
    """When a ready keepsake stops being downloadable: its expiry, or for a parent the
    end of the grace period's last day if that comes first (L-3)."""
    from datetime import datetime, time

    from django.utils import timezone

    from acorn.children.selectors import is_parent_of
    from acorn.leaving.models import Leaving

    until = export.expires_at
    if until is None:
        return None
    leaving = Leaving.objects.filter(child_id=export.child_id, transferred_at__isnull=True).first()
    if leaving is not None and is_parent_of(user, export.child):
        last_moment = timezone.make_aware(datetime.combine(leaving.grace_ends_on, time(23, 59)))
        until = min(until, last_moment)
    return until


def subject_access_asked(setting_id) -> tuple:
    """What `open_subject_access` reads, as a `(statement, args)` pair for
    `acorn.core.kept.found_together`: where it finds nothing, no request is open."""
    return _subject_access_exports, (setting_id,)


def open_subject_access(setting_id, *, child_ids=None) -> list:
    """Subject access requests of the setting not answered yet, soonest due first: for
    each child, the latest session leader's export, unless it has been downloaded (one
    query). Each keeps the due date of the request it answers."""
    if child_ids is None:
        exports = _subject_access_exports.rows(setting_id)
    else:
        exports = _subject_access_exports(setting_id).filter(child_id__in=child_ids)
    latest = {}
    for export in exports:
        latest.setdefault(export.child_id, export)
    waiting = [e for e in latest.values() if e.downloaded_at is None and e.due_on is not None]
    return sorted(waiting, key=lambda e: (e.due_on, e.child.first_name, e.child.last_name))


@statement
def _subject_access_exports(setting_id):
    from acorn.leaving.models import KeepsakeExport

    return (
        KeepsakeExport.objects.filter(child__setting_id=setting_id, subject_access=True)
        .select_related("child", "requested_by")
        .order_by("child_id", "-requested_at")
    )

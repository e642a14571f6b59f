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

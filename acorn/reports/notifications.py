"""Parents are told a report is shared: no child data in the email, only a link."""

from acorn.children.models import ParentLink
from acorn.journal.notifications import _send, wants_email
from acorn.reports.models import Report


def report_shared(report_id) -> int:
    report = Report.objects.filter(pk=report_id, status=Report.Status.SHARED).first()
    if report is None:
        return 0
    sent = 0
    for link in ParentLink.objects.filter(child_id=report.child_id).select_related("parent"):
        parent = link.parent
        if not parent.is_active or not wants_email(parent):
            continue
        _send(
            parent, "report_shared", {"path": f"/reports/{report.pk}/", "setting": report.setting}
        )
        sent += 1
    return sent

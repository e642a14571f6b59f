from django.tasks import task

from acorn.reports import notifications


@task()
def notify_report_shared(report_id: str) -> int:
    return notifications.report_shared(report_id)

"""Periodic jobs run by the task workers themselves, so an installation needs no cron.

Each worker's heartbeat thread calls ``run_due_jobs`` every few seconds. A job is claimed
with a conditional UPDATE on its row (``last_started_at`` older than its period), which
the database makes atomic: of several workers, exactly one wins each period.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from acorn.ops.models import ScheduledJob

logger = logging.getLogger("acorn.ops")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], str]


def _requeue_stale_media() -> str:
    from acorn.journal.media import media_requeue_stale

    outcome = media_requeue_stale()
    return f"requeued {outcome['requeued']}, failed {outcome['failed']}"


def _clearance_reminders() -> str:
    from acorn.suitability.services import clearance_reminders_send

    return f"{clearance_reminders_send()} reminder(s) sent"


def _device_overdue_returns() -> str:
    from acorn.devices.services import overdue_reminders_send

    return f"{overdue_reminders_send()} overdue email(s) sent"


def _leaving_day() -> str:
    from acorn.leaving.services import leaving_apply_due

    outcome = leaving_apply_due()
    return (
        f"archived {outcome['archived']}, moved {outcome['transferred']} transferred, "
        f"{outcome['emails']} email(s) sent"
    )


def _purge_expired() -> str:
    from acorn.leaving.purge import purge_expired

    return f"{len(purge_expired())} child(ren) deleted"


def _daily_emails() -> str:
    from acorn.notices.digest import daily_emails_send

    return f"{daily_emails_send()} daily email(s) sent"


def _keepsake_expiry() -> str:
    from acorn.leaving.services import keepsake_expire

    return f"{keepsake_expire()} keepsake zip(s) deleted"


JOBS: tuple[Job, ...] = (
    Job("requeue_stale_media", timedelta(minutes=5), _requeue_stale_media),
    # Reminders remember which stage they sent, so running more than daily sends nothing
    # twice; hourly means a worker started at 23:59 doesn't skip a day.
    Job("clearance_reminders", timedelta(hours=1), _clearance_reminders),
    # Each overdue sign-out is emailed once, so a short period only makes it prompt.
    Job("device_overdue_returns", timedelta(minutes=15), _device_overdue_returns),
    # Archiving and the grace emails remember what they did, so hourly is safe and prompt.
    Job("leaving_day", timedelta(hours=1), _leaving_day),
    # L-4: idempotent; a run that was interrupted is completed by the next.
    Job("purge_expired", timedelta(days=1), _purge_expired),
    # Each person's daily email is claimed for the day before it goes, so hourly sends it
    # once, soon after the evening hour (acorn/notices/digest.py).
    Job("daily_emails", timedelta(hours=1), _daily_emails),
    # Keepsake zips are kept for 7 days (leaving.models.EXPORT_KEPT_DAYS); hourly, so one
    # is never kept much longer than the page promised.
    Job("keepsake_expiry", timedelta(hours=1), _keepsake_expiry),
)


def claim(job: Job, now=None) -> bool:
    now = now or timezone.now()
    ScheduledJob.objects.get_or_create(name=job.name)
    claimed = ScheduledJob.objects.filter(
        Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - job.every),
        name=job.name,
    ).update(last_started_at=now)
    return claimed == 1


def run_due_jobs(jobs=JOBS, now=None) -> list[str]:
    """Run every job that is due and this worker managed to claim; returns their names."""
    ran = []
    for job in jobs:
        if not claim(job, now=now):
            continue
        try:
            outcome = job.run()
        except Exception as error:  # a failing job must not stop the worker
            logger.exception("Scheduled job %s failed", job.name)
            outcome = f"failed: {type(error).__name__}"
        ScheduledJob.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_outcome=outcome[:255]
        )
        ran.append(job.name)
    return ran

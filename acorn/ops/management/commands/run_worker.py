"""The task worker Acorn runs: django-tasks-db's worker, plus a heartbeat (for /healthz)
and the periodic jobs (stale media, clearance reminders), so no cron is needed."""

import logging
import os
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from acorn.ops.health import HEARTBEAT_SECONDS
from acorn.ops.models import WorkerHeartbeat
from acorn.ops.schedule import run_due_jobs

logger = logging.getLogger("acorn.ops")


def beat(worker_id: str, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float = HEARTBEAT_SECONDS):
        super().__init__(name="acorn-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.stopping = threading.Event()
        self.started_at = timezone.now()

    def run(self):
        while True:  # at least one round, even for a worker that exits at once (--batch)
            close_old_connections()
            try:
                beat(self.worker_id, self.started_at)
                run_due_jobs()
            except Exception:  # a database blip must not kill the thread
                logger.exception("Worker heartbeat failed")
            finally:
                connection.close()
            if self.stopping.wait(self.every):
                return


class Command(DbWorkerCommand):
    help = (
        "Run Acorn's task worker: background jobs (media processing, emails), a heartbeat "
        "that /healthz reads, and the periodic jobs. Run as many as you like."
    )

    def handle(self, *args, worker_id: str, **options):
        heartbeat = Heartbeat(worker_id)
        beat(worker_id, heartbeat.started_at)  # seen by /healthz before the first job
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stopping.set()
            heartbeat.join(timeout=HEARTBEAT_SECONDS)
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()

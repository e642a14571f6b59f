from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running task worker, touched every few seconds while it lives, so
    /healthz can tell a stopped worker from an idle one."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.worker_id} on {self.host} (pid {self.pid})"


class ScheduledJob(models.Model):
    """When each periodic job last ran. Workers claim a due job with one conditional
    UPDATE, so with several workers running each job still runs once per period."""

    name = models.CharField(max_length=64, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return self.name

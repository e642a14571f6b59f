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


class DeletionRecord(models.Model):
    """Something deleted for good: an entry, or a photo's or video's files (by storage
    prefix). A restore reads these from the live installation and deletes again whatever
    the backup still holds, so restoring a backup never brings back what was erased (L-4).
    Kept with no personal data: only the kind of thing and its opaque id."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=128)

    def __str__(self):
        return f"{self.object_type} {self.object_id} deleted {self.at:%Y-%m-%d %H:%M}"

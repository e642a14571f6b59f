"""What /healthz checks: the database answers, storage takes and gives back a file, and
a task worker has shown signs of life recently."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

# A worker touches its heartbeat every HEARTBEAT_SECONDS; three missed beats is stale.
HEARTBEAT_SECONDS = 20
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 3)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def storage_ok() -> bool:
    """Write, read back and delete a small probe file (a HEAD alone would not notice a
    read-only disk or a bucket without write permission)."""
    payload = secrets.token_bytes(16)
    name = None
    try:
        name = default_storage.save(f"_health/{secrets.token_hex(8)}", ContentFile(payload))
        with default_storage.open(name, "rb") as stored:
            return stored.read() == payload
    except Exception:
        return False
    finally:
        if name is not None:
            try:
                default_storage.delete(name)
            except Exception:  # noqa: S110 - the answer above already says what matters
                pass


def worker_state() -> str:
    if settings.TASKS_MODE == "immediate":
        return "ok"  # tasks run inside the request that enqueues them: no worker to miss
    from acorn.ops.models import WorkerHeartbeat

    try:
        fresh = WorkerHeartbeat.objects.filter(last_seen__gte=timezone.now() - STALE_AFTER)
        return "ok" if fresh.exists() else "stale"
    except Exception:
        return "stale"


def health() -> tuple[int, dict]:
    database = database_ok()
    storage = storage_ok()
    body = {
        "database": "ok" if database else "failing",
        "storage": "ok" if storage else "failing",
        "worker": worker_state() if database else "stale",
    }
    return (200 if database and storage else 503), body

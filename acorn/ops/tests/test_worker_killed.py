"""Issue 15: a real task worker killed with SIGKILL in the middle of a job. The job is
retried, never run twice, and never leaves a second copy of anything."""

import json
import signal
import sqlite3
import subprocess
import textwrap
import time
from datetime import UTC, datetime, timedelta

from acorn.media_processing.tests import samples
from acorn.ops.tests.installation import fresh_installation, wait_for

CREATE_ITEM = textwrap.dedent(
    """
    from django.core.files import File
    from django.core.files.storage import default_storage
    from acorn.journal.media import media_enqueue
    from acorn.journal.models import MediaItem
    from acorn.org.models import Setting

    setting = Setting.objects.create(name="Killed Worker Nursery")
    with open({clip!r}, "rb") as clip:
        stored = default_storage.save("media/killedworker/upload.mp4", File(clip))
    item = MediaItem.objects.create(
        setting=setting, kind="video", mime="video/mp4", storage_prefix="media/killedworker",
        original_name=stored.rsplit("/", 1)[1], size_bytes=default_storage.size(stored),
    )
    media_enqueue(item.pk)
    print(item.pk)
    """
)


def _wait_for(predicate, seconds=60.0):
    return wait_for(predicate, seconds, every=0.05)


def test_a_worker_killed_mid_job_is_retried_once_and_leaves_one_copy(tmp_path):
    env, manage = fresh_installation(tmp_path)
    # Long enough to transcode that the kill lands mid-job (a few seconds of 1080p).
    clip = samples.clip(tmp_path / "long.mp4", size="1280x720", seconds=3)
    subprocess.run(
        [*manage, "shell", "-c", CREATE_ITEM.format(clip=str(clip))],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    database = tmp_path / "acorn.sqlite3"
    prefix = tmp_path / "media" / "media" / "killedworker"

    def item():
        with sqlite3.connect(database, timeout=10) as db:
            return db.execute(
                "SELECT status, attempts, processing_started_at, renditions, original_name "
                "FROM journal_mediaitem"
            ).fetchone()

    def worker():
        return subprocess.Popen(
            [*manage, "run_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    first = worker()
    try:
        assert _wait_for(lambda: item()[2] is not None), "the worker never started the job"
        time.sleep(0.3)  # into the transcode
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    status, attempts, started, _renditions, _name = item()
    assert (status, attempts) == ("processing", 1), "the kill came too late to be mid-job"

    # Half an hour on, the sweep (every worker runs it; here by hand) retries the job.
    long_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(database, timeout=10) as db:
        db.execute("UPDATE journal_mediaitem SET processing_started_at = ?", (long_ago,))
    swept = subprocess.run(
        [*manage, "requeue_stale_media"], env=env, check=True, timeout=120, capture_output=True
    )
    assert b"Requeued 1 item(s)" in swept.stdout
    second = worker()
    try:
        assert _wait_for(lambda: item()[0] != "processing", seconds=120)
        time.sleep(1.5)  # time enough for a duplicate run to show itself
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    status, attempts, _started, renditions, original_name = item()
    assert status == "ready"
    assert attempts == 2  # the killed attempt and the retry: never a third run
    names = sorted(p.name for p in prefix.iterdir())
    assert names == sorted([*json.loads(renditions).values(), original_name])
    assert original_name.startswith("original") and "upload.mp4" not in names
    with sqlite3.connect(database, timeout=10) as db:
        done = db.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        ).fetchall()
    # The retry succeeded once; the killed job is never picked up again by anyone.
    assert dict(done).get("SUCCESSFUL") == 1

"""/healthz (API.md "Operations") and the worker's heartbeat and periodic jobs."""

import signal
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from acorn.ops import schedule
from acorn.ops.models import ScheduledJob, WorkerHeartbeat
from acorn.ops.tests.installation import fresh_installation, wait_for

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok", "worker": "ok"}
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_healthz_leaves_no_probe_file_behind(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    assert client.get("/healthz").status_code == 200
    leftovers = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert leftovers == []


def test_healthz_is_503_when_storage_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"] == "failing"
    assert response.json()["database"] == "ok"


def test_worker_is_stale_until_a_worker_beats(client, settings):
    settings.TASKS_MODE = "worker"
    assert client.get("/healthz").json()["worker"] == "stale"
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="here", pid=1, started_at=now, last_seen=now
    )
    assert client.get("/healthz").json()["worker"] == "ok"
    WorkerHeartbeat.objects.update(last_seen=now - timedelta(minutes=5))
    body = client.get("/healthz").json()
    assert body["worker"] == "stale"
    assert client.get("/healthz").status_code == 200  # a stale worker is reported, not fatal


def test_a_scheduled_job_runs_once_per_period_however_many_workers_ask():
    runs = []
    job = schedule.Job("probe", timedelta(minutes=5), lambda: runs.append(1) or "done")
    now = timezone.now()
    assert schedule.run_due_jobs(jobs=(job,), now=now) == ["probe"]
    # A second worker a moment later finds it already claimed.
    assert schedule.run_due_jobs(jobs=(job,), now=now + timedelta(seconds=3)) == []
    assert runs == [1]
    assert schedule.run_due_jobs(jobs=(job,), now=now + timedelta(minutes=6)) == ["probe"]
    assert runs == [1, 1]
    row = ScheduledJob.objects.get(name="probe")
    assert row.last_outcome == "done" and row.last_finished_at is not None


def test_a_failing_scheduled_job_is_recorded_and_does_not_stop_the_others():
    def broken():
        raise RuntimeError("storage unavailable")

    ran = schedule.run_due_jobs(
        jobs=(
            schedule.Job("broken", timedelta(minutes=5), broken),
            schedule.Job("fine", timedelta(minutes=5), lambda: "ok"),
        )
    )
    assert ran == ["broken", "fine"]
    assert ScheduledJob.objects.get(name="broken").last_outcome == "failed: RuntimeError"


def test_the_real_jobs_run_against_the_database():
    ran = schedule.run_due_jobs()
    assert ran == [job.name for job in schedule.JOBS]
    outcomes = dict(ScheduledJob.objects.values_list("name", "last_outcome"))
    assert outcomes["requeue_stale_media"] == "requeued 0, failed 0"
    assert outcomes["clearance_reminders"].endswith("reminder(s) sent")


def test_a_real_worker_process_beats_runs_the_schedule_and_clears_its_heartbeat(tmp_path):
    """A real `manage.py run_worker` process on its own SQLite file, as `./dev run` starts it."""
    env, manage = fresh_installation(tmp_path)
    database = tmp_path / "acorn.sqlite3"

    def rows(sql):
        with sqlite3.connect(database, timeout=5) as db:
            return db.execute(sql).fetchall()

    worker = subprocess.Popen(
        [*manage, "run_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: rows("SELECT count(*) FROM ops_workerheartbeat") == [(1,)])
        assert wait_for(
            lambda: len(rows("SELECT name FROM ops_scheduledjob")) == len(schedule.JOBS)
        )
        outcomes = dict(rows("SELECT name, last_outcome FROM ops_scheduledjob"))
        assert outcomes["requeue_stale_media"] == "requeued 0, failed 0"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert rows("SELECT count(*) FROM ops_workerheartbeat") == [(0,)]

"""The production stack, started for real for a few seconds: gunicorn with two processes,
two task workers, Redis as the shared cache (when redis-server is installed), the test
database (SQLite file or PostgreSQL), JSON logs. Nothing here is mocked."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection

from acorn.core.tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(predicate, seconds=40, what="the stack"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{what} didn't come up in {seconds} s")


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _post_json(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
        return json.loads(answer.read())


@pytest.fixture
def stack(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACORN_", "DATABASE_"))}
    env.update(
        DATABASE_URL=_database_url(),
        ACORN_DATA_DIR=str(tmp_path),
        ACORN_SECRET_KEY="stack-test-" + "x" * 40,
        ACORN_ALLOWED_HOSTS="127.0.0.1",
        ACORN_HTTPS="0",
        ACORN_EMAIL="outbox",
        ACORN_LOG_FORMAT="json",
    )
    processes = []
    redis_port = None
    if shutil.which("redis-server"):
        redis_port = _free_port()
        processes.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        env["ACORN_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    port = _free_port()
    web_log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    processes.append(
        subprocess.Popen(
            [PY, "-m", "gunicorn", "acorn.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stderr=web_log,
        )
    )
    for n in range(2):
        processes.append(
            subprocess.Popen(
                [PY, "manage.py", "run_worker", "--no-reload", "--interval", "0.2",
                 "--worker-id", f"stack-worker-{n}", "-v0"],
                cwd=ROOT,
                env=env,
            )
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _get(f"{base}/healthz")[0] in (200, 503), what="gunicorn")
        yield {"base": base, "tmp": tmp_path, "redis_port": redis_port, "web_log": web_log}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        web_log.close()


def test_the_production_stack_serves_and_two_workers_run_each_job_once(stack, settings):
    from django_tasks_db.models import DBTaskResult

    from acorn.accounts.tasks import send_email

    base, tmp = stack["base"], stack["tmp"]

    # /healthz: database, storage and the workers' heartbeats.
    _wait(lambda: json.loads(_get(f"{base}/healthz")[2]).get("worker") == "ok", what="workers")
    status, headers, body = _get(f"{base}/healthz", {"X-Request-ID": "stack-test-0001"})
    assert status == 200
    assert json.loads(body) == {"database": "ok", "storage": "ok", "worker": "ok"}
    assert headers["X-Request-ID"] == "stack-test-0001"

    # Thirty jobs for two real worker processes: every one runs, none twice.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for n in range(30):
        send_email.enqueue(to=f"family{n}@example.test", subject=f"Job {n}", body="Hello")
    _wait(
        lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 30,
        seconds=60,
        what="the jobs",
    )
    for result in DBTaskResult.objects.all():
        assert len(result.worker_ids) == 1, result.worker_ids
    # (the outbox may put several emails in one file: count the messages themselves)
    sent = [p.read_text() for p in (tmp / "outbox").iterdir()]
    subjects = [line for text in sent for line in text.splitlines() if line.startswith("Subject:")]
    assert sorted(subjects) == sorted(f"Subject: Job {n}" for n in range(30))

    # A staff member's request through gunicorn: the clearance lands in the shared cache.
    setting = f.SettingFactory()
    person = f.staff(setting)
    # The server hashes as production does (tests use a fast hasher).
    person.password = make_password(f.PASSWORD, hasher="argon2")
    person.save(update_fields=["password"])
    token = _post_json(
        f"{base}/api/v1/auth/token", {"email": person.email, "password": f.PASSWORD}
    )["token"]
    status, _, _ = _get(f"{base}/api/v1/children", {"Authorization": f"Bearer {token}"})
    assert status == 200
    if stack["redis_port"]:
        import redis

        keys = redis.Redis(port=stack["redis_port"]).keys("*clearance*")
        assert keys, "the clearance should be cached in Redis"

    # Structured logs: one JSON line per request, with its id.
    stack["web_log"].flush()
    lines = [
        json.loads(line)
        for line in (tmp / "gunicorn.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert any(
        line["request_id"] == "stack-test-0001" and line["path"] == "/healthz" for line in lines
    )

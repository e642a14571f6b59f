"""A separate Acorn installation on its own SQLite file in a test folder, for tests that
run real `manage.py` processes (a worker, as `./dev run` starts it)."""

import os
import subprocess
import sys
import time

from django.conf import settings


def fresh_installation(folder) -> tuple[dict, list[str]]:
    """Migrate a new installation in `folder`; returns its environment and the command
    that runs its `manage.py`."""
    env = {**os.environ, "ACORN_DATA_DIR": str(folder), "ACORN_DEBUG": "1", "ACORN_TASKS": "worker"}
    env.pop("DATABASE_URL", None)
    env.pop("ACORN_TESTING", None)
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=180)
    return env, manage


def wait_for(predicate, seconds=20.0, every=0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False

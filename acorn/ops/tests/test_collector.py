"""Issue 13: each web process tunes its garbage collector once Acorn is loaded."""

import gc
import os
import subprocess
import sys
from pathlib import Path

from acorn.ops import collector

ROOT = Path(__file__).resolve().parents[3]


def test_settle_freezes_what_is_loaded_and_looks_at_young_objects_less_often():
    before = gc.get_threshold()
    try:
        collector.settle()
        assert gc.get_threshold() == (collector.YOUNG, collector.OLDER, collector.OLDER)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_gunicorn_worker_settles_once_acorn_is_loaded():
    """What gunicorn loads (`acorn.wsgi`) has its collector settled, with Django set up."""
    code = (
        "import gc, acorn.wsgi, django.apps; "
        "print(gc.get_threshold(), gc.get_freeze_count() > 0, django.apps.apps.ready)"
    )
    env = {**os.environ, "ACORN_SECRET_KEY": "x", "ACORN_DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    young, older = collector.YOUNG, collector.OLDER
    assert out.strip() == f"({young}, {older}, {older}) True True"

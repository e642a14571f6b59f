"""Faults injected at the boundaries of real components (issue 15): the database driver
and the file storage. Nothing of Acorn's own pipeline is mocked: requests, services,
transactions, Pillow and ffmpeg all run for real; only the database or the disk fails.
"""

import errno
import os
import re
from contextlib import contextmanager

from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection

# Transaction control still reaches the database, so the savepoints of the code under
# test roll back as they would after a real failure, and the test can look afterwards.
_TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", re.I)


@contextmanager
def database_goes_away(after: str):
    """From the first statement matching `after` (a regex on the SQL) on, every query
    fails as when the database server has gone away or its disk has failed."""
    state = {"gone": False, "refused": 0, "ran": []}

    def driver(execute, sql, params, many, context):
        if not _TRANSACTION_CONTROL.match(sql):
            if state["gone"] or re.search(after, sql, re.I):
                state["gone"] = True
                state["refused"] += 1
                raise OperationalError("server closed the connection unexpectedly")
            state["ran"].append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(driver):
        yield state


class FlakyStorage(FileSystemStorage):
    """Local storage whose disk fills up (ENOSPC) or goes away (EIO) for names that
    match `FlakyStorage.failing`: like a real full disk, part of the file is written
    before the write fails."""

    failing: str | None = None  # regex on the stored name
    error = errno.ENOSPC
    failures = 0

    def _save(self, name, content):
        if FlakyStorage.failing and re.search(FlakyStorage.failing, name):
            FlakyStorage.failures += 1
            path = self.path(name)

            os.makedirs(os.path.dirname(path), exist_ok=True)
            content.seek(0)
            with open(path, "wb") as partial:
                partial.write(content.read(512))
            raise OSError(FlakyStorage.error, os.strerror(FlakyStorage.error), path)
        return super()._save(name, content)


def use_flaky_storage(settings, tmp_path):
    FlakyStorage.failing = None
    FlakyStorage.error = errno.ENOSPC
    FlakyStorage.failures = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "acorn.journal.tests.faults.FlakyStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return FlakyStorage


def stored_files(tmp_path) -> list[str]:
    root = tmp_path / "media"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

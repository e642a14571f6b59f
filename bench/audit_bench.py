"""How much does the audit trail (A-8) cost per request?

Creates a throw-away test database (SQLite by default, PostgreSQL with DATABASE_URL),
then measures:

1. `audit_record(...)` on its own, each call in its own transaction (as a page's read
   audit commits with the request): the cost of one insert.
2. N requests of a child's journal page by a parent, with the audit insert and with it
   replaced by a no-op, so the difference is the audit write as a share of a real page.

Run:  .venv/bin/python bench/audit_bench.py [N]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/audit_bench.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acorn.settings")
os.environ.setdefault("ACORN_TESTING", "1")
os.environ.setdefault(
    "ACORN_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench")
)

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402


def timed(function, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples):
    ms = [s * 1000 for s in samples]
    return f"mean {statistics.mean(ms):.3f} ms, median {statistics.median(ms):.3f} ms"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    if connection.vendor == "sqlite":
        # A file, as in production, not the in-memory database tests use (WAL, fsync).
        Path(os.environ["ACORN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(
            Path(os.environ["ACORN_DATA_DIR"]) / "bench.sqlite3"
        )
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from acorn.audit import services as audit_services
        from acorn.core.tests import factories as f
        from acorn.journal import views as journal_views

        setting = f.SettingFactory(name="Bench Nursery")
        key_person = f.staff(setting, "practitioner")
        child = f.ChildFactory(setting=setting, key_person=key_person)
        parent = f.parent_of(child)
        for _ in range(10):
            f.observation(author=key_person, children=[child])

        def one_insert():
            with transaction.atomic():
                audit_services.audit_record(
                    action="journal.read",
                    actor=parent,
                    setting_id=setting.pk,
                    child_id=child.pk,
                    object_type="child",
                    object_id=child.pk,
                )

        timed(one_insert, 50)  # warm up
        inserts = timed(one_insert, n)

        client = Client()
        client.post("/sign-in/", {"email": parent.email, "password": f.PASSWORD})
        path = f"/children/{child.pk}/journal"

        def page():
            assert client.get(path).status_code == 200

        timed(page, 20)
        real = journal_views.audit_record
        with_audit, without_audit = [], []
        for _ in range(n // 50 or 1):  # interleave to share any drift
            with_audit += timed(page, 50)
            journal_views.audit_record = lambda **kwargs: None
            without_audit += timed(page, 50)
            journal_views.audit_record = real

        vendor = connection.vendor
        cost = statistics.mean(with_audit) - statistics.mean(without_audit)
        print(f"database: {vendor}, N={n}")
        print(f"audit_record alone (own transaction): {summary(inserts)}")
        print(f"journal page with audit:    {summary(with_audit)}")
        print(f"journal page without audit: {summary(without_audit)}")
        print(
            f"audit write per request: {cost * 1000:.3f} ms "
            f"({cost / statistics.mean(without_audit) * 100:.1f}% of the page)"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

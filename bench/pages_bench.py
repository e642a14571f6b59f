# ruff: noqa: S603, S607 - runs this project's own commands and psql
"""Pages against Django's floor, at each size, in one table.

    .venv/bin/python bench/pages_bench.py [--sizes 3000,100000] [--rounds 30]

For each size, a database made by `manage.py generate_data` (kept in var/bench/ and reused;
with DATABASE_URL, a PostgreSQL database named after it with `_<size>` added) is measured
in its own process: the Django test client, signed in, medians of interleaved rounds. The
floor is a login_required view making one query and rendering a one-line template
(bench/floor_urls.py, a bench-only URLconf). The measuring process tunes its garbage
collector as each gunicorn worker does (`acorn.ops.collector`), and requests each page a
dozen times before measuring (`WARM_UP`), for the floor and the pages alike. Prints page, size, server time, queries and the ratio to the same run's floor.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


def database_url(size: int) -> str:
    base = os.environ.get("DATABASE_URL")
    if base:
        return f"{base.rstrip('/')}_{size}" if "/" in base.split("://", 1)[1] else base
    return f"sqlite:///{BENCH_DIR / f'pages-{size}.sqlite3'}"


def bench_env(size: int) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(size),
        ACORN_DATA_DIR=str(BENCH_DIR / f"data-{size}"),
        ACORN_DEBUG="0",  # as in production: no debug query log, cached templates
        ACORN_SECRET_KEY=os.environ.get("ACORN_SECRET_KEY", "bench-only-" + "k" * 40),
        ACORN_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        ACORN_HTTPS="0",
        ACORN_TASKS="immediate",
        ACORN_EMAIL="outbox",
    )
    return env


def ensure_data(size: int) -> None:
    """Make the size's database once (generate_data with bulk inserts)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    stamp = BENCH_DIR / f"ready-{size}-{database_url(size).split('://')[0]}"
    env = bench_env(size)
    if stamp.exists():
        # Kept from an earlier run: brought up to this code's migrations (new indexes).
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        return
    if env["DATABASE_URL"].startswith("postgres"):
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    else:
        Path(env["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)
    py = sys.executable
    print(f"Generating {size:,} entries (once; kept in {BENCH_DIR})…", file=sys.stderr)
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [py, "manage.py", "generate_data", "--entries", str(size)], cwd=ROOT, env=env, check=True
    )
    stamp.touch()


# Requests of each page before measuring. On PostgreSQL psycopg prepares a statement the
# fifth time a connection runs it, and the server plans it afresh for five runs more before
# it keeps one plan; a server's connection lives for thousands of requests, so the bench
# measures what comes after.
WARM_UP = 12


def measure_here(rounds: int) -> dict:
    """Runs inside the size's own process (settings from the environment)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acorn.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ROOT_URLCONF = "bench.floor_urls"
    from acorn.accounts.models import TotpDevice, User
    from acorn.core.tests import factories as f
    from acorn.ops.synthetic import PASSWORD

    def signed_in(email: str) -> Client:
        client = Client()
        user = User.objects.get(email=email)
        answer = client.post("/sign-in/", {"email": email, "password": PASSWORD})
        assert answer.status_code == 302, answer.status_code
        if answer.url.startswith("/sign-in/code/"):
            answer = client.post(answer.url, {"code": f.recovery_code(user)})
        return client

    manager_email = "staff0-0@bench.acorn.test"
    manager = User.objects.get(email=manager_email)
    if not TotpDevice.objects.filter(user=manager, confirmed_at__isnull=False).exists():
        f.enrol_mfa(manager)
    from acorn.children.models import Child

    child = Child.objects.filter(setting__name="Bench Nursery 1").order_by("created_at").first()
    parent_email = child.parent_links.first().parent.email
    key_email = child.key_person.email
    parent, key_person, leader = (
        signed_in(parent_email),
        signed_in(key_email),
        signed_in(manager_email),
    )
    api = Client()
    api_headers = {"HTTP_AUTHORIZATION": _token_header(parent_email)}
    pages = {
        "floor": (parent, "/bench-floor/", {}),
        "parent's child journal": (parent, f"/children/{child.pk}/journal", {}),
        "journal API list": (api, f"/api/v1/children/{child.pk}/journal", api_headers),
        "review list": (leader, "/review/", {}),
        "Today": (leader, "/dashboard/", {}),
        "children list": (key_person, "/children/", {}),
    }
    from acorn.ops.collector import settle

    settle()  # the collector tuned as acorn/wsgi.py tunes each of gunicorn's workers
    result = {name: {"samples": []} for name in pages}
    for name, (client, path, extra) in pages.items():
        for _ in range(WARM_UP):  # caches, connections, templates, prepared statements
            answer = client.get(path, **extra)
            assert answer.status_code == 200, (name, answer.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(path, **extra)
        result[name]["queries"] = len(queries)
    for _ in range(rounds):
        for name, (client, path, extra) in pages.items():
            start = time.perf_counter()
            client.get(path, **extra)
            result[name]["samples"].append(time.perf_counter() - start)
    entries = child.observations.count()
    return {
        "vendor": connection.vendor,
        "child_entries": entries,
        "pages": {
            name: {"ms": statistics.median(v["samples"]) * 1000, "queries": v["queries"]}
            for name, v in result.items()
        },
    }


def _token_header(email: str) -> str:
    from django.test import Client

    from acorn.ops.synthetic import PASSWORD

    answer = Client().post(
        "/api/v1/auth/token",
        {"email": email, "password": PASSWORD},
        content_type="application/json",
    )
    return f"Bearer {answer.json()['token']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000,100000")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_here(args.rounds)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = []
    for size in sizes:
        ensure_data(size)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(size), "--rounds", str(args.rounds)],
            cwd=ROOT,
            env=bench_env(size),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows.append((size, json.loads(out.strip().splitlines()[-1])))
    print()
    print(
        f"{'page':<24} {'entries':>9} {'child':>6} {'db':>7} {'ms':>7} {'queries':>8} {'× floor':>8}"
    )
    for size, measured in rows:
        floor = measured["pages"]["floor"]["ms"]
        for name, page in measured["pages"].items():
            print(
                f"{name:<24} {size:>9,} {measured['child_entries']:>6} {measured['vendor']:>7} "
                f"{page['ms']:>7.2f} {page['queries']:>8} {page['ms'] / floor:>7.1f}×"
            )


if __name__ == "__main__":
    main()

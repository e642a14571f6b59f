# ruff: noqa: S603, S607 - runs this project's own commands
"""A load run: gunicorn serving Acorn on loopback, locust (headless, bounded in time)
with 50 users for 60 s on the 3,000-entry bench database. Prints p50/p95/p99 and errors.

    .venv/bin/python bench/load_bench.py [--users 50] [--seconds 60] [--workers 3]
"""

import argparse
import csv
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages_bench import ROOT, bench_env, ensure_data  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign_in_families(path: Path, count: int = 40) -> None:
    import json
    import os

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acorn.settings")
    import django

    django.setup()
    from django.test import Client

    from acorn.ops.synthetic import PASSWORD

    families = []
    for n in range(count):
        email = f"parent0-{n}@bench.acorn.test"
        client = Client()
        answer = client.post("/sign-in/", {"email": email, "password": PASSWORD})
        journal = client.get("/", follow=True).request["PATH_INFO"]
        token = client.post(
            "/api/v1/auth/token",
            {"email": email, "password": PASSWORD},
            content_type="application/json",
        ).json()["token"]
        assert answer.status_code == 302 and journal.startswith("/children/"), journal
        families.append(
            {"session": client.cookies["sessionid"].value, "token": token, "journal": journal}
        )
    path.write_text(json.dumps(families))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--sign-in", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sign_in:
        sign_in_families(Path(args.sign_in))
        return
    ensure_data(args.size)
    env = bench_env(args.size)
    # Families sign in before the run (Argon2 is slow on purpose, and signing in is not
    # what this measures): a session cookie and an API token each, handed to locust.
    credentials = Path(tempfile.mkdtemp()) / "families.json"
    subprocess.run(
        [sys.executable, __file__, "--sign-in", str(credentials), "--size", str(args.size)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    env["BENCH_FAMILIES"] = str(credentials)
    port = free_port()
    bin_dir = Path(sys.executable).parent
    # As in production (`./dev prod`): Redis as the shared cache, sessions read from it.
    redis = None
    if not env.get("ACORN_REDIS_URL") and shutil.which("redis-server"):
        redis_port = free_port()
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        env["ACORN_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "acorn.wsgi", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env={**env, "ACORN_LOG_FORMAT": "json"}, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    host = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{host}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.5)
        with tempfile.TemporaryDirectory() as folder:
            prefix = Path(folder) / "load"
            subprocess.run(
                [str(bin_dir / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                 "--headless", "--host", host, "--users", str(args.users),
                 "--spawn-rate", "10", "--run-time", f"{args.seconds}s", "--csv", str(prefix),
                 "--only-summary", "--loglevel", "WARNING"],
                cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    finally:
        server.terminate()
        server.wait(timeout=20)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=20)
    print()
    print(f"load: {args.users} users, {args.seconds} s, gunicorn {args.workers} workers, "
          f"{args.size:,} entries, {env['DATABASE_URL'].split(':')[0]}"
          f"{', Redis' if env.get('ACORN_REDIS_URL') else ''}")  # fmt: skip
    print(
        f"{'request':<16} {'count':>7} {'errors':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
    )
    for row in rows:
        print(
            f"{row['Name']:<16} {row['Request Count']:>7} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )


if __name__ == "__main__":
    main()

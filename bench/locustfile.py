"""Load for bench/load_bench.py: parents reading their child's journal (page and API),
with 0.5–1.5 s of thinking between requests. Each family is already signed in (a session
and an API token made by load_bench.py), so the run measures reading, not Argon2."""

import itertools
import json
import os

from locust import HttpUser, between, task

FAMILIES = json.loads(open(os.environ["BENCH_FAMILIES"]).read())  # noqa: SIM115
_numbers = itertools.count()


class Family(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        family = FAMILIES[next(_numbers) % len(FAMILIES)]
        self.client.cookies.set("sessionid", family["session"])
        self.journal = family["journal"]
        self.api = {"Authorization": f"Bearer {family['token']}"}

    @task(3)
    def journal_page(self):
        self.client.get(self.journal, name="child journal")

    @task(2)
    def journal_api(self):
        self.client.get(f"/api/v1{self.journal}", headers=self.api, name="journal API")

    @task(1)
    def healthz(self):
        self.client.get("/healthz", name="healthz")

"""Load for bench/load_bench.py: parents reading their child's journal (page and API) and
key people opening their children list, with 0.5–1.5 s of thinking between requests."""

import itertools
import os
import re

from locust import HttpUser, between, task

PASSWORD = "acorn-bench-2026"
PARENTS = int(os.environ.get("BENCH_PARENTS", "40"))
_numbers = itertools.count()
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Family(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        n = next(_numbers) % PARENTS
        self.email = f"parent0-{n}@bench.acorn.test"
        page = self.client.get("/sign-in/", name="sign-in")
        token = _CSRF.search(page.text).group(1)
        answer = self.client.post(
            "/sign-in/",
            {"email": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/sign-in/"},
            name="sign-in",
            allow_redirects=False,
        )
        self.journal = answer.headers.get("Location", "/")
        if not self.journal.startswith("/children/"):
            self.journal = self.client.get("/", name="home").url.replace(self.host, "")
        token = self.client.post(
            "/api/v1/auth/token", json={"email": self.email, "password": PASSWORD}, name="token"
        ).json()["token"]
        self.api = {"Authorization": f"Bearer {token}"}

    @task(3)
    def journal_page(self):
        self.client.get(self.journal, name="child journal")

    @task(2)
    def journal_api(self):
        self.client.get(f"/api/v1{self.journal}", headers=self.api, name="journal API")

    @task(1)
    def healthz(self):
        self.client.get("/healthz", name="healthz")

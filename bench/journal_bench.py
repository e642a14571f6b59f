"""Does a child's journal stay fast as it grows?

Builds a throw-away database (SQLite file by default, PostgreSQL with DATABASE_URL) with
one child whose journal has 20, then 2,000 entries (group entries with photos of other
children, so the consent rule has work to do), and times the parent's journal page, the
staff member's, and the API list. The page shows 20 entries at a time: its time and its
query count should not grow with the journal.

Run:  ./dev bench   or   .venv/bin/python bench/journal_bench.py
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

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)


def measure(client, path, repeat=30):
    """Median time of the page; its query count is asserted by the test suite."""
    client.get(path)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(samples) * 1000


def grow(f, media_model, appearance_model, setting, author, child, friend, count):
    for _ in range(count):
        observation = f.observation(author=author, children=[child, friend])
        item = media_model.objects.create(
            setting=setting, uploaded_by=author, observation=observation, kind="photo",
            mime="image/jpeg", status="ready", storage_prefix=f"media/b{observation.pk.hex}",
            original_name="original.jpg", renditions={"thumb": "t.webp", "display": "d.jpg"},
        )  # fmt: skip
        appearance_model.objects.bulk_create(
            [appearance_model(media=item, child=child), appearance_model(media=item, child=friend)]
        )


def main():
    if connection.vendor == "sqlite":
        Path(os.environ["ACORN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(
            Path(os.environ["ACORN_DATA_DIR"]) / "journal-bench.sqlite3"
        )
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from acorn.core.tests import factories as f
        from acorn.journal.models import MediaAppearance, MediaItem

        setting = f.SettingFactory(name="Bench Nursery")
        key_person = f.staff(setting, "practitioner")
        child = f.ChildFactory(setting=setting, key_person=key_person, first_name="Ada")
        friend = f.ChildFactory(setting=setting, key_person=key_person, first_name="Ben")
        parent = f.parent_of(child)
        f.parent_of(friend)
        for _ in range(50):  # the rest of the room
            f.ChildFactory(setting=setting, key_person=key_person)

        def signed_in(person):
            client = Client()
            client.post("/sign-in/", {"email": person.email, "password": f.PASSWORD})
            return client

        parent_client, staff_client = signed_in(parent), signed_in(key_person)
        from acorn.conftest import ApiClient

        api = ApiClient(parent)
        page = f"/children/{child.pk}/journal"
        print(f"database: {connection.vendor}")
        print(f"{'entries':>8} {'parent page':>16} {'staff page':>16} {'API list':>16}")
        total = 0
        for target in (20, 2000):
            grow(f, MediaItem, MediaAppearance, setting, key_person, child, friend, target - total)
            total = target
            parent_ms = measure(parent_client, page)
            staff_ms = measure(staff_client, page)
            samples = []
            for _ in range(30):
                start = time.perf_counter()
                assert api.get(page).status_code == 200
                samples.append(time.perf_counter() - start)
            api_ms = statistics.median(samples) * 1000
            print(f"{total:>8} {parent_ms:>13.1f} ms {staff_ms:>13.1f} ms {api_ms:>13.1f} ms")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

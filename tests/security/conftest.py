"""The security suite builds one world per module (fast on 2 cores) inside a transaction
that is rolled back at the end; each test runs in a savepoint of its own, so a probe that
writes leaves nothing for the next one."""

import tempfile

import pytest
import time_machine
from django.db import transaction
from django.test.utils import override_settings

from tests.security.personas import WORLD_TIME, build_world


@pytest.fixture(scope="module")
def private_storage():
    with tempfile.TemporaryDirectory() as folder:
        storages = {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": f"{folder}/media"},
            },
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
        }
        with override_settings(DATA_DIR=folder, STORAGES=storages):
            yield folder


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, private_storage):
    with time_machine.travel(WORLD_TIME, tick=True), django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)

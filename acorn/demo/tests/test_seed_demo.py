"""`./dev run` loads the demo with `seed_demo`: it must work on an empty database, through
the same rules as everyone (the suitability gate, consent, the media pipeline), and add
nothing the second time."""

import pytest
from django.core.management import call_command

from acorn.children.models import Child
from acorn.journal.models import MediaItem, Observation
from acorn.org.models import Setting

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_on_an_empty_database_and_adds_nothing_twice(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    call_command("seed_demo", verbosity=0)
    counts = (
        Setting.objects.count(),
        Child.objects.count(),
        Observation.objects.count(),
        MediaItem.objects.count(),
    )
    assert counts[1] == 8 and counts[2] >= 12
    assert MediaItem.objects.filter(status="ready").count() == counts[3]
    call_command("seed_demo", verbosity=0)
    assert (
        Setting.objects.count(),
        Child.objects.count(),
        Observation.objects.count(),
        MediaItem.objects.count(),
    ) == counts

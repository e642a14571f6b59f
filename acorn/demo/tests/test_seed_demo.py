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


def test_the_demo_group_photo_shows_roses_face_blurred_to_other_families(settings, tmp_path):
    """Issue 16 in the demo: Rose's dad said no to photos in other journals; her face is
    marked in the water-tray photo, so Amara's mum gets a shared rendition and Rose's dad
    the photo as it is."""
    from acorn.accounts.models import User
    from acorn.journal.models import ObscuredFace
    from acorn.journal.selectors import media_visible_to

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    call_command("seed_demo", verbosity=0)
    rose = Child.objects.get(first_name="Rose")
    group = MediaItem.objects.get(appearances__child=rose, observation__isnull=False)
    assert len(group.faces) == 2
    assert [face["child"] for face in group.faces if face["child"]] == [str(rose.pk)]
    assert ObscuredFace.objects.filter(media=group, child=rose, rendition__kept_count=0).exists()
    amaras_mum = User.objects.get(email="parent@demo.acorn.test")
    seen = media_visible_to(amaras_mum).get(pk=group.pk)
    assert seen.serve_shared is True and seen.shared_files["display"]
    roses_dad = User.objects.get(email="parent2@demo.acorn.test")
    assert media_visible_to(roses_dad).get(pk=group.pk).serve_shared is False

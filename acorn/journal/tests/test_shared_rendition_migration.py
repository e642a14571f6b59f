"""Migrations 0011 and 0012 (issue 16): a photo's one stored shared copy, and the faces it
obscures, become its first shared rendition (every face obscured), so nothing already shared is
lost or shown differently; a leftover row without its files is dropped."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("journal", "0010_email_choice_and_daily_digest")]
AFTER = [("journal", "0012_obscured_face_belongs_to_a_shared_rendition")]


@pytest.mark.django_db(transaction=True)
def test_existing_shared_copies_become_shared_renditions():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Setting = old.get_model("org", "Setting")
    Child = old.get_model("children", "Child")
    MediaItem = old.get_model("journal", "MediaItem")
    ObscuredFace = old.get_model("journal", "ObscuredFace")
    setting = Setting.objects.create(name="Migrated")
    key_person = old.get_model("accounts", "User").objects.create(
        email="kp@migrated.test", name="Kay Person", password="!"
    )
    child = Child.objects.create(
        setting=setting,
        first_name="Yara",
        last_name="Old",
        date_of_birth="2023-01-01",
        start_date="2025-09-01",
        key_person=key_person,
    )
    shared = MediaItem.objects.create(
        setting=setting, kind="photo", mime="image/jpeg", status="ready",
        storage_prefix="media/migrated-1", original_name="original.jpg",
        renditions={"display": "display.jpg", "thumb": "thumb.webp",
                    "shared_display": "shared-display.jpg", "shared_thumb": "shared-thumb.webp"},
    )  # fmt: skip
    lost = MediaItem.objects.create(
        setting=setting, kind="photo", mime="image/jpeg", status="ready",
        storage_prefix="media/migrated-2", original_name="original.jpg",
        renditions={"display": "display.jpg", "thumb": "thumb.webp"},
    )  # fmt: skip
    ObscuredFace.objects.create(media=shared, child=child)
    ObscuredFace.objects.create(media=lost, child=child)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    SharedRendition = new.get_model("journal", "SharedRendition")
    NewFace = new.get_model("journal", "ObscuredFace")
    NewItem = new.get_model("journal", "MediaItem")
    copy = SharedRendition.objects.get()
    assert copy.media_id == shared.pk and copy.kept == [] and copy.kept_count == 0
    assert copy.renditions == {"display": "shared-display.jpg", "thumb": "shared-thumb.webp"}
    assert list(NewFace.objects.values_list("rendition_id", "child_id")) == [(copy.pk, child.pk)]
    assert NewItem.objects.get(pk=shared.pk).renditions == {
        "display": "display.jpg",
        "thumb": "thumb.webp",
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

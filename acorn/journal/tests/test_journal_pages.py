"""The journal's pages with the person each is for, a parent of another child and staff of
another setting."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acorn.core.tests import factories as f
from acorn.journal.models import MediaAppearance, MediaItem, Observation
from acorn.media_processing.tests import samples


def _photo_upload(client, tmp_path, **extra):
    path = samples.noisy_jpeg(tmp_path / "p.jpg", (320, 240))
    return client.post(
        "/media/upload", {"file": SimpleUploadedFile("p.jpg", path.read_bytes()), **extra}
    )


def test_capture_page_uploads_then_publishes_for_two_children(
    world, web, tmp_path, django_capture_on_commit_callbacks
):
    client = web(world.key_person)
    with django_capture_on_commit_callbacks(execute=True):
        response = _photo_upload(client, tmp_path)
    assert response.status_code == 201
    media_id = response.json()["id"]
    assert response.json()["status"] == "processing"
    status = client.get(f"/media/{media_id}/status").json()
    assert status["status"] == "ready" and status["thumb"] == f"/media/{media_id}/thumb"
    assert web(world.parent).get(f"/media/{media_id}/status").status_code == 404
    response = client.post(
        "/observations/new",
        {
            "children": [str(world.child.pk), str(world.other_child.pk)],
            "observed_on": date.today().isoformat(),
            "media_ids": media_id,
            "client_ref": "ref-1",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    # A double submit (or a retry after a dropped connection) makes nothing new.
    client.post(
        "/observations/new",
        {
            "children": [str(world.child.pk)],
            "observed_on": date.today().isoformat(),
            "media_ids": media_id,
            "client_ref": "ref-1",
            "action": "publish",
        },
    )
    assert Observation.objects.count() == 1
    page = web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    assert f"/media/{media_id}/thumb" in page
    assert (
        f"/media/{media_id}/thumb"
        in web(world.other_parent).get(f"/children/{world.other_child.pk}/journal").content.decode()
    )
    assert web(world.parent).get(f"/media/{media_id}/display").status_code == 200
    assert web(world.other_manager).get(f"/media/{media_id}/display").status_code == 404
    assert web(world.far_parent).get(f"/media/{media_id}/thumb").status_code == 404


def test_upload_endpoint_explains_refusals(world, web, tmp_path):
    fake = SimpleUploadedFile("notes.jpg", b"%PDF-1.4 not really a photo")
    response = web(world.key_person).post("/media/upload", {"file": fake})
    assert response.status_code == 415
    assert "JPEG" in response.json()["detail"]
    assert web(world.key_person).post("/media/upload", {}).status_code == 400


def test_form_errors_keep_uploaded_media(world, web, tmp_path, django_capture_on_commit_callbacks):
    client = web(world.key_person)
    with django_capture_on_commit_callbacks(execute=True):
        media_id = _photo_upload(client, tmp_path).json()["id"]
    response = client.post(
        "/observations/new",
        {"observed_on": date.today().isoformat(), "media_ids": media_id, "text": "Typed text"},
    )
    page = response.content.decode()
    assert "Choose at least one child" in page
    assert f'data-id="{media_id}"' in page and "Typed text" in page


def test_parent_contribution_page(world, web, tmp_path, django_capture_on_commit_callbacks):
    client = web(world.parent)
    path = f"/children/{world.child.pk}/contribute"
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        media_id = _photo_upload(client, tmp_path, child=str(world.child.pk)).json()["id"]
    response = client.post(
        path,
        {"text": "Rock pooling", "observed_on": date.today().isoformat(), "media_ids": media_id},
    )
    assert response.status_code == 302
    obs = Observation.objects.get()
    assert obs.status == "pending" and obs.by_parent
    assert list(MediaAppearance.objects.values_list("child_id", flat=True)) == [world.child.pk]
    assert web(world.other_parent).get(path).status_code == 404
    assert web(world.other_manager).get(path).status_code == 403
    # Staff see it waiting; other families never do.
    assert "Rock pooling" in web(world.key_person).get("/observations/waiting").content.decode()
    assert web(world.other_parent).get(f"/observations/{obs.pk}/").status_code == 404
    assert (
        "Rock pooling" not in web(world.other_manager).get("/observations/waiting").content.decode()
    )


def test_decide_contribution_pages(world, web):
    obs = f.observation(
        author=world.parent, children=[world.child], status="pending", by_parent=True
    )
    assert (
        web(world.parent)
        .post(f"/observations/{obs.pk}/decide", {"decision": "approve"})
        .status_code
        == 403
    )
    assert (
        web(world.other_manager)
        .post(f"/observations/{obs.pk}/decide", {"decision": "approve"})
        .status_code
        == 404
    )
    web(world.key_person).post(
        f"/observations/{obs.pk}/decide", {"decision": "reject", "reason": ""}
    )
    obs.refresh_from_db()
    assert obs.status == "pending"
    web(world.key_person).post(
        f"/observations/{obs.pk}/decide", {"decision": "reject", "reason": "Shows another child."}
    )
    obs.refresh_from_db()
    assert obs.status == "rejected"
    assert (
        "Shows another child." in web(world.parent).get(f"/observations/{obs.pk}/").content.decode()
    )


def test_reply_pages(world, web):
    obs = f.observation(author=world.key_person, children=[world.child, world.other_child])
    web(world.parent).post(f"/observations/{obs.pk}/replies", {"text": "Thank you!"})
    web(world.other_parent).post(f"/observations/{obs.pk}/replies", {"text": "Lovely"})
    assert "Thank you!" in web(world.key_person).get(f"/observations/{obs.pk}/").content.decode()
    parent_page = web(world.parent).get(f"/observations/{obs.pk}/").content.decode()
    assert "Thank you!" in parent_page and "Lovely" not in parent_page
    assert "face to face" in parent_page
    assert (
        web(world.other_manager).post(f"/observations/{obs.pk}/replies", {"text": "x"}).status_code
        == 404
    )


def test_edit_and_delete_pages(world, web):
    obs = f.observation(author=world.key_person, children=[world.child])
    path = f"/observations/{obs.pk}/edit"
    assert web(world.parent).get(path).status_code == 403
    assert web(world.other_manager).get(path).status_code == 404
    response = web(world.manager).post(
        path, {"text": "Edited", "observed_on": date.today().isoformat()}
    )
    assert response.status_code == 302
    # The earlier version is kept, for staff, on the entry's history page.
    assert "See what changed" in web(world.manager).get(f"/observations/{obs.pk}/").content.decode()
    history = web(world.manager).get(f"/observations/{obs.pk}/history").content.decode()
    assert "<del>Built a tower.</del>" in history and "<ins>Edited</ins>" in history
    assert web(world.parent).get(f"/observations/{obs.pk}/delete").status_code == 403
    assert web(world.other_manager).post(f"/observations/{obs.pk}/delete").status_code == 404
    assert web(world.key_person).post(f"/observations/{obs.pk}/delete").status_code == 302
    assert not Observation.objects.filter(pk=obs.pk).exists()


def test_notification_opt_out(world, web):
    client = web(world.parent)
    client.post("/account/notifications", {})
    from acorn.journal.notifications import wants_email

    assert not wants_email(world.parent)
    client.post("/account/notifications", {"email_on_publish": "on"})
    assert wants_email(world.parent)
    client.post("/account/notifications", {"email": "daily"})
    assert not wants_email(world.parent)
    # Staff choose only their own daily email; a parent's choice isn't theirs to make.
    staff = web(world.key_person)
    assert staff.post("/account/notifications", {"staff_daily_email": "on"}).status_code == 302
    from acorn.journal.models import NotificationPreference

    chosen = NotificationPreference.objects.get(user=world.key_person)
    assert chosen.staff_daily_email and chosen.email == "each"


@pytest.mark.parametrize("viewer", ["parent", "key_person"])
def test_journal_with_media_keeps_a_fixed_query_count(world, web, viewer):
    client = web(getattr(world, viewer))
    path = f"/children/{world.child.pk}/journal"

    def add_entry_with_media(n):
        obs = f.observation(author=world.manager, children=[world.child, world.other_child])
        for i in range(n):
            MediaItem.objects.create(
                setting=world.setting_a,
                uploaded_by=world.manager,
                observation=obs,
                kind="photo",
                mime="image/jpeg",
                status="ready",
                position=i,
                storage_prefix=f"media/{obs.pk.hex}{i}",
                original_name="original.jpg",
                renditions={"thumb": "thumb.webp", "display": "display.jpg"},
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    add_entry_with_media(1)
    count()  # staff clearance is cached from the first request on
    few = count()
    for n in range(10):
        add_entry_with_media(n % 4 + 1)
    assert count() == few


@pytest.mark.parametrize("viewer", ["parent", "key_person"])
def test_opening_the_notifications_address_shows_the_setting_not_a_405(world, web, viewer):
    response = web(getattr(world, viewer)).get("/account/notifications")
    assert response.status_code == 302 and response.url == "/account/#emails"


def test_signing_in_with_next_notifications_lands_on_the_account_page(world):
    from django.test import Client

    from acorn.core.tests import factories as f

    client = Client()
    response = client.post(
        "/sign-in/?next=/account/notifications",
        {"email": world.parent.email, "password": f.PASSWORD, "next": "/account/notifications"},
        follow=True,
    )
    assert response.status_code == 200
    assert 'id="emails"' in response.content.decode()

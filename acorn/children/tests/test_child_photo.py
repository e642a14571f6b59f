from django.core.files.uploadedfile import SimpleUploadedFile

from acorn.core.tests import factories as f
from acorn.journal.models import MediaItem
from acorn.media_processing.tests import samples


def _photo(tmp_path):
    path = samples.noisy_jpeg(tmp_path / "face.jpg", (300, 300))
    return SimpleUploadedFile("face.jpg", path.read_bytes())


def test_key_person_adds_a_childs_photo_seen_by_staff_and_own_parents(
    world, web, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web(world.key_person).post(
            f"/children/{world.child.pk}/photo", {"photo": _photo(tmp_path)}
        )
    assert response.status_code == 302
    world.child.refresh_from_db()
    photo = world.child.photo
    assert photo.status == "ready"
    thumb = f"/media/{photo.pk}/thumb"
    assert thumb in web(world.key_person).get("/observations/new").content.decode()
    assert thumb in web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    assert web(world.parent).get(thumb).status_code == 200
    assert web(world.manager).get(thumb).status_code == 200
    for outsider in (world.other_parent, world.other_manager, world.far_parent):
        assert web(outsider).get(thumb).status_code == 404
    assert web(world.parent).get(f"/media/{photo.pk}/original").status_code == 404


def test_a_new_photo_replaces_the_old_one_and_its_files(
    world, web, tmp_path, django_capture_on_commit_callbacks
):
    client = web(world.key_person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/children/{world.child.pk}/photo", {"photo": _photo(tmp_path)})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/children/{world.child.pk}/photo", {"photo": _photo(tmp_path)})
    assert MediaItem.objects.count() == 1


def test_child_photo_refusals(world, web, tmp_path):
    clip = samples.clip(tmp_path / "c.mp4")
    response = web(world.key_person).post(
        f"/children/{world.child.pk}/photo",
        {"photo": SimpleUploadedFile("c.mp4", clip.read_bytes())},
        follow=True,
    )
    assert "Please choose a photo, not a video." in response.content.decode()
    assert MediaItem.objects.count() == 0
    assert (
        web(world.parent)
        .post(f"/children/{world.child.pk}/photo", {"photo": _photo(tmp_path)})
        .status_code
        == 403
    )
    assert (
        web(world.other_manager)
        .post(f"/children/{world.child.pk}/photo", {"photo": _photo(tmp_path)})
        .status_code
        == 404
    )
    practitioner = f.staff(world.setting_a)
    assert (
        web(practitioner)
        .post(f"/children/{world.child.pk}/photo", {"photo": _photo(tmp_path)})
        .status_code
        == 403
    )

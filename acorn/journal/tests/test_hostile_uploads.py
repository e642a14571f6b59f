"""Issue 15: the hostile-file corpus through the real upload and the task that processes
it. Every file is refused at upload with nothing stored, or ends "failed" with a message
and no files, or "ready" with exactly its renditions and clean original; the worker's
task never raises for a bad file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from acorn.journal.models import MediaItem
from acorn.journal.tests.faults import stored_files
from acorn.media_processing.tests import hostile

pytestmark = pytest.mark.django_db


def test_every_hostile_file_is_refused_or_stored_whole(
    world, api, tmp_path, django_capture_on_commit_callbacks
):
    corpus = hostile.build_corpus(tmp_path / "corpus")
    staff = api(world.key_person)
    outcomes = {}
    for name, path in sorted(corpus.items()):
        before = set(MediaItem.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.client.post(
                "/api/v1/media",
                {"file": SimpleUploadedFile(name, path.read_bytes())},
                **staff._headers(),
            )
        made = MediaItem.objects.exclude(pk__in=before)
        if response.status_code != 201:
            assert response.status_code in (413, 415), (name, response.content)
            assert response.json()["detail"]
            assert not made.exists(), name
            outcomes[name] = response.status_code
            continue
        item = made.get()
        assert item.status in ("ready", "failed"), (name, item.status)
        files = {f for f in stored_files(tmp_path) if f.startswith(item.storage_prefix + "/")}
        if item.status == "failed":
            assert item.failure_message and files == set(), name
        else:
            expected = {*item.renditions.values(), item.original_name}
            assert files == {f"{item.storage_prefix}/{n}" for n in expected}, name
            assert item.original_name.startswith("original"), name
        outcomes[name] = item.status
    # Nothing anywhere that no row names.
    named = {
        f"{item.storage_prefix}/{n}"
        for item in MediaItem.objects.filter(status="ready")
        for n in [*item.renditions.values(), item.original_name]
    }
    assert set(stored_files(tmp_path)) == named
    assert outcomes["polyglot-jpeg-html.jpg"] == "ready"
    assert outcomes["png-decompression-bomb.png"] == 413
    assert outcomes["svg-with-script.svg"] == 415
    assert outcomes["mp4-moov-size-huge.mp4"] in (415, "failed")

"""A real group photo with two children without image consent, each face marked (issue
16), and how to tell on the pixels served whether a face is as it was or obscured. Used
by the journal's, the reports' and the keepsake's tests."""

import io
import json
import time
from datetime import date

import numpy as np
from django.core.files.storage import default_storage
from PIL import Image

from acorn.children.consent import consent_record
from acorn.core.tests import factories as f
from acorn.journal.models import MediaItem
from acorn.journal.tests.media_helpers import upload
from acorn.media_processing.faces import FaceBox
from acorn.media_processing.tests.group_pictures import GROUPS, compose

# Mean absolute difference (0-255) over a face's box: a re-encoded copy of the same face
# stays under SAME, an obscured face far over CHANGED (measured here: 0 to 4.8 for faces
# left as they are, 35 to 38 for obscured ones).
SAME = 8
CHANGED = 20


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _picture(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def face_change(served: bytes, original: bytes, box: FaceBox) -> float:
    """How different the served picture is from the original within one face's box (a
    thumbnail is compared with the original reduced to its size)."""
    a = _picture(served)
    with Image.open(io.BytesIO(original)) as image:
        b = np.asarray(
            image.convert("RGB").resize((a.shape[1], a.shape[0]), Image.Resampling.LANCZOS),
            dtype=float,
        )
    left, top, right, bottom = box.pixels((a.shape[1], a.shape[0]))
    return float(np.abs(a[top:bottom, left:right] - b[top:bottom, left:right]).mean())


def two_without_consent(world, api, tmp_path, run_tasks):
    """Xander (consent), Yasmin and Will (none) in one real photo, each face marked and
    the shared renditions drawn. `run_tasks(fn, ...)` runs fn and the tasks it queues."""
    w = world
    w.will = f.ChildFactory(setting=w.setting_a, first_name="Will", key_person=w.key_person)
    w.will_parent = f.parent_of(w.will, name="Wendy Will", consent=False)
    consent_record(
        parent=w.other_parent, child=w.other_child, given=False, signature_name="Olly Other"
    )
    picture, _ = compose(*GROUPS[0])
    picture.save(tmp_path / "group.jpg", quality=92)
    staff = api(w.key_person)
    media_id = run_tasks(upload, staff, tmp_path / "group.jpg").json()["id"]
    children = [w.child, w.other_child, w.will]
    response = run_tasks(
        staff.post,
        "/observations",
        {
            "children": [str(c.pk) for c in children],
            "text": "Xander, Yasmin and Will made a den",
            "observed_on": date.today().isoformat(),
            "media": [{"id": media_id}],
            "publish": True,
        },
    )
    assert response.status_code == 201
    w.entry_id = response.json()["id"]
    w.item = MediaItem.objects.get(pk=media_id)
    found = staff.get(f"/media/{media_id}/faces").json()["faces"]
    assert len(found) == 3
    # The composed faces run left to right: Xander, Yasmin, Will.
    found.sort(key=lambda face: face["box"][0])
    w.boxes = {c.pk: FaceBox(*face["box"]) for c, face in zip(children, found, strict=True)}
    body = [
        {"box": face["box"], "child_id": str(c.pk)} for c, face in zip(children, found, strict=True)
    ]
    started = time.perf_counter()
    answer = run_tasks(
        staff.client.put,
        f"/api/v1/media/{media_id}/faces",
        json.dumps(body),
        content_type="application/json",
        **staff._headers(),
    )
    w.render_seconds = time.perf_counter() - started
    assert answer.status_code == 200, answer.content
    w.item.refresh_from_db()
    with default_storage.open(f"{w.item.storage_prefix}/{w.item.renditions['display']}") as d:
        w.original_display = d.read()
    return w


def check_faces(w, served: bytes, *, clear, hidden):
    for child in clear:
        assert face_change(served, w.original_display, w.boxes[child.pk]) < SAME, child
    for child in hidden:
        assert face_change(served, w.original_display, w.boxes[child.pk]) > CHANGED, child

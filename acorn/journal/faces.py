"""Group photos for everyone (C-2): staff say whose face is whose, and the worker makes
"shared" renditions with the faces of children without image consent obscured.

A photo gets one shared rendition per family view (issue 16): one with every such face
obscured, for families with none of those children, and for each child without consent
(and each family with several of them in the photo) one that leaves that family's own
children as they are. With Alfie and Bea both without consent in a photo, Alfie's family
sees Alfie and a blurred Bea, Bea's family the reverse, every other family both blurred,
and the setting's staff the original. At most n + 1 copies for n such children (one more
per family with several).

Which copy a reader gets is decided in `selectors.media_visible_to` (and, for a report,
`selectors.with_family_copy`), never here and never in a view: a copy will do only if
every child without consent in the photo, the reader's own children aside, is obscured in
it (`ObscuredFace` rows of that copy). Until one exists the photo stays out of their
journals, as it always did.

Changing the marks removes every copy of the photo, so it leaves other journals until the
worker has drawn them again; a child whose consent is withdrawn later is obscured in no
copy, so the photo leaves at once, and comes back once the worker has redrawn them.
"""

import logging
import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from acorn.audit.services import audit_record
from acorn.children.models import Child
from acorn.journal.models import MediaAppearance, MediaItem, ObscuredFace, SharedRendition
from acorn.journal.policy import require_staff_write
from acorn.media_processing.faces import FaceBox, write_shared_renditions

log = logging.getLogger("acorn.media")

MAX_FACES = 60
MIN_SIDE = 0.005  # of the picture: a box smaller than this is a stray tap, not a face
NOT_READY = "This photo is still being processed. Try again in a moment."
PHOTOS_ONLY = (
    "Faces can be marked on photos only. A video in which a child without photo consent "
    "can be seen stays out of other children's journals."
)


@dataclass(frozen=True)
class FaceMark:
    """One face as staff left it: where it is, and whose it is (None: nobody in particular)."""

    box: FaceBox
    child: Child | None = None


def faces_from_items(raw) -> list[dict]:
    """The stored list, shaped as the worker finds them (nobody's yet)."""
    faces = []
    for entry in raw:
        at, box = entry if isinstance(entry, tuple) else (None, entry)
        face = {"box": box.as_list(), "child": None, "found": True}
        if at is not None:
            face["at"] = at
        faces.append(face)
    return faces


def parse_box(values) -> FaceBox:
    try:
        x, y, w, h = (float(v) for v in values)
    except (TypeError, ValueError):
        raise ValidationError(
            "Each face needs a box of four numbers: x, y, width, height."
        ) from None
    if not all(0.0 <= v <= 1.0 for v in (x, y, w, h)) or w < MIN_SIDE or h < MIN_SIDE:
        raise ValidationError("A face's box must lie within the photo (0 to 1).")
    return FaceBox.clamped(x, y, w, h)


def _marked(faces) -> list[tuple[str, list[float]]]:
    return sorted((face["child"], face["box"]) for face in faces if face.get("child"))


def media_faces_mark(*, media: MediaItem, marks: list[FaceMark], marked_by, request=None):
    """Staff say where the faces are in a photo and whose they are (found faces confirmed,
    missed ones drawn, wrong ones left out). Audited; the shared rendition follows."""
    require_staff_write(
        person=marked_by,
        setting_id=media.setting_id,
        request=request,
        what="mark faces",
        # Marking a face in an entry's photo can bring it into other families' journals:
        # the rules of publishing apply. On the capture page it is still a draft.
        publishing=media.observation_id is not None,
    )
    if media.kind != MediaItem.Kind.PHOTO:
        raise ValidationError(PHOTOS_ONLY)
    if media.status != MediaItem.Status.READY:
        raise ValidationError(NOT_READY)
    if len(marks) > MAX_FACES:
        raise ValidationError(f"Please mark at most {MAX_FACES} faces.")
    if any(mark.child is not None and mark.child.setting_id != media.setting_id for mark in marks):
        raise ValidationError("Only children of this setting can be marked.")
    with transaction.atomic():
        item = MediaItem.objects.select_for_update().get(pk=media.pk)
        found = {tuple(face["box"]) for face in item.faces if face.get("found")}
        faces = [
            {
                "box": mark.box.as_list(),
                "child": str(mark.child.pk) if mark.child else None,
                "found": tuple(mark.box.as_list()) in found,
            }
            for mark in marks
        ]
        changed = _marked(faces) != _marked(item.faces)
        item.faces = faces
        item.save(update_fields=["faces"])
        if changed:
            # What the stored shared renditions cover no longer matches the marks.
            drop_shared_copies(item)
            transaction.on_commit(lambda: shared_enqueue(item.pk))
        audit_record(
            action="media.faces",
            actor=marked_by,
            request=request,
            setting_id=item.setting_id,
            object_type="media",
            object_id=item.pk,
            detail={
                "faces": len(faces),
                "children": sorted({face["child"] for face in faces if face["child"]}),
            },
        )
    media.faces = item.faces
    return media


def shared_enqueue(media_id) -> None:
    from acorn.journal.tasks import render_shared_media

    render_shared_media.enqueue(str(media_id))


def faces_consent_changed(child: Child) -> None:
    """A child's consent changed: photos where their face is marked are drawn again, so
    a withdrawal obscures them (the photo is out of other journals meanwhile) and consent
    given back shows them again."""
    items = MediaItem.objects.filter(
        setting_id=child.setting_id, kind=MediaItem.Kind.PHOTO, faces__icontains=str(child.pk)
    ).values_list("pk", flat=True)
    for media_id in items:
        transaction.on_commit(lambda media_id=media_id: shared_enqueue(media_id))


def drop_shared_copies(item: MediaItem, copies=None) -> None:
    """Remove shared renditions (all of the photo's by default) and, once committed, their
    files: the photo leaves the journals that were served them."""
    copies = list(copies if copies is not None else SharedRendition.objects.filter(media=item))
    names = [name for copy in copies for name in copy.renditions.values()]
    SharedRendition.objects.filter(pk__in=[copy.pk for copy in copies]).delete()
    transaction.on_commit(lambda: _delete_files(item.storage_prefix, names))


def _to_obscure(item: MediaItem) -> tuple[dict[str, list[FaceBox]], set]:
    """The faces of the marked children without consent: {child id: [boxes]}."""
    marked = {face["child"] for face in item.faces if face.get("child")}
    without_consent = {
        str(pk)
        for pk in Child.objects.filter(pk__in=_uuids(marked), image_consent=False).values_list(
            "pk", flat=True
        )
    }
    boxes: dict[str, list[FaceBox]] = {}
    for face in item.faces:
        if face.get("child") in without_consent:
            boxes.setdefault(face["child"], []).append(FaceBox(*face["box"]))
    return boxes, without_consent


def family_views(children: set[str]) -> list[frozenset]:
    """The shared renditions a photo needs, each named by the children without consent it
    leaves as they are: none (for every other family), each such child alone, and each
    family's own children together (brothers and sisters in one photo). A family with
    every such child sees the original, so needs no copy. A family linked later with a
    new mix of children gets the copy that obscures the fewest faces yet hides every other
    child's (at worst the one for everybody else) until the photo is drawn again."""
    from acorn.children.models import ParentLink

    families: dict = {}
    for parent_id, child_id in ParentLink.objects.filter(child_id__in=_uuids(children)).values_list(
        "parent_id", "child_id"
    ):
        families.setdefault(parent_id, set()).add(str(child_id))
    views = {frozenset(), *(frozenset({c}) for c in children)}
    views |= {frozenset(own) for own in families.values()}
    return sorted((v for v in views if v != frozenset(children)), key=lambda v: (len(v), sorted(v)))


def media_render_shared(media_id) -> str:
    """Draw the shared renditions of one photo (runs in the task worker) and record whose
    faces each obscures, unless the marks or consents changed meanwhile (then the newer
    job does it). Every copy of the photo is replaced together."""
    item = MediaItem.objects.filter(pk=media_id).first()
    if item is None or item.kind != MediaItem.Kind.PHOTO or item.status != "ready":
        return "skipped"
    boxes, children = _to_obscure(item)
    if not boxes:
        with transaction.atomic():
            drop_shared_copies(item)
        return "nothing to obscure"
    views = family_views(children)
    workdir = Path(tempfile.mkdtemp(dir=settings.FILE_UPLOAD_TEMP_DIR))
    made: list[tuple[frozenset, dict]] = []
    try:
        display = workdir / "display.jpg"
        with (
            default_storage.open(f"{item.storage_prefix}/{item.renditions['display']}") as src,
            display.open("wb") as out,
        ):
            shutil.copyfileobj(src, out, length=1024 * 1024)
        for number, kept in enumerate(views):
            hidden = [box for child, faces in boxes.items() if child not in kept for box in faces]
            written = write_shared_renditions(display, workdir / f"copy{number}", hidden)
            stored = {}
            made.append((kept, stored))
            tag = secrets.token_hex(4)  # names that say nothing of whose faces are hidden
            for name, path in written.items():
                with path.open("rb") as rendition:
                    stored[name.removeprefix("shared_")] = default_storage.save(
                        f"{item.storage_prefix}/{tag}-{path.name}", File(rendition)
                    ).rsplit("/", 1)[1]
    except BaseException:
        _delete_files(item.storage_prefix, [n for _, files in made for n in files.values()])
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    with transaction.atomic():
        current = MediaItem.objects.select_for_update().filter(pk=item.pk).first()
        if current is None or current.faces != item.faces or _to_obscure(current)[1] != children:
            names = [name for _, files in made for name in files.values()]
            transaction.on_commit(lambda: _delete_files(item.storage_prefix, names))
            return "stale"
        drop_shared_copies(current)
        for kept, files in made:
            copy = SharedRendition.objects.create(
                media=current, kept=sorted(kept), kept_count=len(kept), renditions=files
            )
            ObscuredFace.objects.bulk_create(
                ObscuredFace(media=current, rendition=copy, child_id=uuid.UUID(child_id))
                for child_id in sorted(children - kept)
            )
    return "rendered"


def _delete_files(prefix: str, names) -> None:
    for name in names:
        default_storage.delete(f"{prefix}/{name}")


def needs_marking(item: MediaItem, children=None) -> list[Child]:
    """C-2 for staff: the children without consent shown in this photo (those recorded as
    appearing, or `children` on the capture page) whose faces nobody has marked yet."""
    if children is None:
        children = [
            a.child for a in MediaAppearance.objects.filter(media=item).select_related("child")
        ]
    marked = {face.get("child") for face in item.faces}
    return [c for c in children if not c.image_consent and str(c.pk) not in marked]


def faces_payload(item: MediaItem, children=None) -> dict:
    """What staff see of a photo's faces: each box and whose it is, the children without
    consent still to be marked, and those whose faces other families' copy obscures."""
    # Whose faces every other family's copy obscures (the copy that keeps nobody's).
    obscured = list(
        ObscuredFace.objects.filter(media=item, rendition__kept_count=0).values_list(
            "child_id", flat=True
        )
    )
    waiting = needs_marking(item, children)
    marked = _uuids({face.get("child") for face in item.faces if face.get("child")})
    named = {c.pk: c for c in Child.objects.filter(setting_id=item.setting_id, pk__in=marked)}
    named.update({c.pk: c for c in waiting})
    if children is not None:
        named.update({c.pk: c for c in children if not c.image_consent})
    return {
        "id": str(item.pk),
        "kind": item.kind,
        "status": item.status,
        "faces": [
            {
                "box": face["box"],
                "child_id": face.get("child"),
                "found": bool(face.get("found")),
                "at": face.get("at"),
            }
            for face in item.faces
        ],
        "needs_marking": [str(c.pk) for c in waiting],
        "obscured": [str(pk) for pk in obscured],
        # Whose faces staff may be asked about: first names, for the marking buttons.
        "children": [
            {"id": str(c.pk), "name": c.first_name, "image_consent": c.image_consent}
            for c in sorted(named.values(), key=lambda c: c.first_name)
        ],
    }


def marks_from(user_setting_id, entries) -> list[FaceMark]:
    """Face marks from a request's `[{box, child_id}]`, children of the photo's setting."""
    if not isinstance(entries, list):
        raise ValidationError("Send a list of faces: [{box, child_id}].")
    wanted = {str(e.get("child_id")) for e in entries if isinstance(e, dict) and e.get("child_id")}
    children = {
        str(c.pk): c
        for c in Child.objects.filter(setting_id=user_setting_id, pk__in=_uuids(wanted))
    }
    marks = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValidationError("Each face needs a box and a child_id (or null).")
        child_id = entry.get("child_id")
        if child_id and str(child_id) not in children:
            raise ValidationError("Only children of this setting can be marked.")
        marks.append(FaceMark(box=parse_box(entry.get("box")), child=children.get(str(child_id))))
    return marks


def _uuids(values) -> list:
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return result

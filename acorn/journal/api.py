from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from acorn.audit.services import audit_record
from acorn.children.models import Child
from acorn.children.selectors import (
    child_for,
    children_visible_to,
    linked_child_ids,
    require_onboarded,
    require_some_clearance,
)
from acorn.core.api import ApiError, already_shaped, api, api_access, page
from acorn.core.params import date_clamped
from acorn.core.policy import Forbidden
from acorn.journal import delivery, selectors, services
from acorn.journal.media import StorageUnavailable, media_upload
from acorn.journal.models import AREAS_OF_LEARNING, MediaItem
from acorn.media_processing import MediaRejected
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import require_cleared

router = Router(tags=["journal"])
MAX_SEARCH = 200


class MediaRef(Schema):
    id: UUID
    appears: list[UUID] | None = None


class ObservationIn(Schema):
    children: list[UUID]
    text: str = ""
    observed_on: date
    areas: list[str] = []
    aspects: list[str] = []
    characteristics: list[str] = []
    next_steps: str = ""
    media: list[MediaRef] = []
    publish: bool = False
    # The client's own reference for this entry: a retried call makes no second entry.
    client_ref: str | None = Field(default=None, max_length=64)


class ObservationPatch(Schema):
    children: list[UUID] | None = None
    text: str | None = None
    observed_on: date | None = None
    areas: list[str] | None = None
    aspects: list[str] | None = None
    characteristics: list[str] | None = None
    next_steps: str | None = None
    media: list[MediaRef] | None = None
    publish: bool | None = None
    # As read from GET: if the entry was saved since, 409 `conflict` with `current`.
    updated_at: datetime | None = None


class MediaOut(Schema):
    id: UUID
    kind: str
    status: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    message: str | None = None


class ObservationOut(Schema):
    id: UUID
    children: list[UUID]
    text: str
    observed_on: date
    areas: list[str]
    aspects: list[str] = []
    characteristics: list[str] = []
    next_steps: str
    media: list[MediaOut]
    status: str
    author_id: UUID | None
    rejection_reason: str | None = None
    updated_at: datetime | None = None


class ObservationPage(Schema):
    items: list[ObservationOut]
    next: str | None


class RejectIn(Schema):
    reason: str


class CommentIn(Schema):
    text: str
    child: UUID | None = None


class CommentOut(Schema):
    id: UUID
    author_id: UUID | None
    text: str
    created_at: datetime
    child: UUID | None = None


class CommentPage(Schema):
    items: list[CommentOut]
    next: str | None


def media_out(item: MediaItem) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "status": item.status,
        "width": item.width,
        "height": item.height,
        "duration": item.duration,
        "message": item.failure_message or None,
    }


def observation_out(user, observation) -> dict:
    if not hasattr(observation, "shown_text"):
        selectors.prepare_for_reader(user, [observation])
    visible_media = getattr(observation, "visible_media", None)
    if visible_media is None:
        visible_media = list(selectors.media_visible_to(user).filter(observation=observation))
    return {
        "id": observation.pk,
        "children": [child.pk for child in selectors.children_shown_to(user, observation)],
        "text": observation.shown_text,
        "observed_on": observation.observed_on,
        "areas": observation.areas,
        "aspects": observation.aspects,
        "characteristics": observation.characteristics,
        "next_steps": observation.shown_next_steps,
        "media": [media_out(item) for item in visible_media],
        "status": observation.status,
        "author_id": observation.author_id,
        "rejection_reason": observation.shown_reason or None,
        "updated_at": observation.updated_at,
    }


def _children(user, ids) -> list[Child]:
    visible = {c.pk: c for c in children_visible_to(user).filter(pk__in=ids)}
    if len(visible) != len(set(ids)):
        raise ApiError(422, "Choose one or more children you may write about.", "invalid")
    return [visible[i] for i in dict.fromkeys(ids)]


def _media_choices(user, refs) -> list[services.MediaChoice]:
    ids = [ref.id for ref in refs]
    items = {m.pk: m for m in selectors.media_visible_to(user).filter(pk__in=ids)}
    if len(items) != len(set(ids)):
        raise ApiError(
            422, "One of those photos or videos doesn't exist or isn't yours.", "invalid"
        )
    appear_ids = {cid for ref in refs for cid in ref.appears or []}
    appear = {c.pk: c for c in children_visible_to(user).filter(pk__in=appear_ids)}
    if len(appear) != len(appear_ids):
        raise ApiError(422, "Someone tagged in a photo isn't a child you may see.", "invalid")
    return [
        services.MediaChoice(
            media=items[ref.id],
            appears=[appear[c] for c in ref.appears] if ref.appears is not None else None,
        )
        for ref in refs
    ]


def _invalid(error: ValidationError):
    return ApiError(422, " ".join(error.messages), "invalid")


@router.post("/media", response={201: MediaOut})
@api_access("signed_in")
def media_create(request, file: File[UploadedFile], child: Form[UUID | None] = None):
    """Upload one photo or video (multipart field `file`). It is checked by content and
    processed in the background: poll GET /media/{id} until `status` is `ready`."""
    chosen = None
    if child is not None:
        chosen = child_for(request.user, child)
        require_onboarded(request.user, chosen)
        setting = chosen.setting
    elif request.membership is not None:
        setting = request.membership.setting
        require_cleared(request.user, setting.pk)
    else:
        own = Child.objects.filter(pk__in=linked_child_ids(request.user)).select_related("setting")
        settings_of_children = {c.setting_id: c.setting for c in own}
        if len(settings_of_children) != 1:
            raise ApiError(422, "Say which child this is for (form field `child`).", "invalid")
        for own_child in own:
            require_onboarded(request.user, own_child)
        setting = next(iter(settings_of_children.values()))
        # All their children are in this one setting: the upload is theirs as a parent.
        chosen = own[0]
    try:
        item = media_upload(
            uploader=request.user,
            setting=setting,
            uploaded_file=file,
            request=request,
            child=chosen,
        )
    except StorageUnavailable as failure:
        raise ApiError(503, failure.message, "unavailable") from None
    except MediaRejected as refusal:
        status = 413 if refusal.code in ("too_large", "too_many_pixels", "too_long") else 415
        raise ApiError(status, refusal.message) from None
    item.refresh_from_db()
    return Status(201, media_out(item))


@router.get("/media/{media_id}", response=MediaOut)
@api_access("signed_in")
def media_detail(request, media_id: str):
    return media_out(selectors.media_for(request.user, media_id))


@router.get("/media/{media_id}/content", response={200: None})
@api_access("signed_in")
def media_content(request, media_id: str, rendition: str = "display"):
    """The bytes of one rendition: `thumb`, `display`, `poster` (videos) or `original`
    (staff only). Served inline and never cached."""
    if rendition not in delivery.RENDITIONS:
        raise ApiError(422, "rendition must be thumb, display, poster or original.", "invalid")
    item = selectors.media_for(request.user, media_id, rendition=rendition)
    try:
        return delivery.media_response(request, item, rendition)
    except delivery.NotReady:
        if item.status == MediaItem.Status.FAILED:
            raise ApiError(409, item.failure_message, "media_failed") from None
        raise ApiError(
            409, "This is still being processed. Try again shortly.", "conflict"
        ) from None


@router.post("/observations", response={201: ObservationOut})
@api_access("signed_in")
def observation_create(request, payload: ObservationIn):
    # Staff not yet cleared are told what is missing rather than "no such child".
    require_some_clearance(request.user)
    children = _children(request.user, payload.children)
    try:
        observation = services.observation_create(
            author=request.user,
            children=children,
            text=payload.text,
            observed_on=payload.observed_on,
            areas=payload.areas,
            aspects=payload.aspects,
            characteristics=payload.characteristics,
            next_steps=payload.next_steps,
            publish=payload.publish,
            media=_media_choices(request.user, payload.media),
            client_ref=payload.client_ref or None,
            request=request,
        )
    except ValidationError as error:
        raise _invalid(error) from None
    observation = selectors.observation_for(request.user, observation.pk)
    return Status(201, observation_out(request.user, observation))


@router.get("/observations/{observation_id}", response=ObservationOut)
@api_access("signed_in")
def observation_detail(request, observation_id: str):
    observation = selectors.observation_for(request.user, observation_id)
    audit_record(
        action="observation.read",
        request=request,
        setting_id=observation.setting_id,
        object_type="observation",
        object_id=observation.pk,
    )
    return observation_out(request.user, observation)


def _staff_observation(request, observation_id):
    """An entry for a staff-only action: staff of *its* setting, cleared there (A-5); a
    member who isn't cleared (perhaps also a parent, reading as one) is told what is
    missing. The services then apply the rest of the rules of create."""
    observation = selectors.observation_for(request.user, observation_id)
    if membership_in(request.user, observation.setting_id) is None:
        raise Forbidden("Only staff of the setting can do this.")
    require_cleared(request.user, observation.setting_id)
    return observation


@router.patch("/observations/{observation_id}", response=ObservationOut)
@api_access("staff")
def observation_update(request, observation_id: str, payload: ObservationPatch):
    observation = _staff_observation(request, observation_id)
    data = payload.dict(exclude_unset=True)
    skipped = ("children", "media", "updated_at")
    fields = {k: v for k, v in data.items() if k not in skipped and v is not None}
    try:
        services.observation_update(
            expected_updated_at=payload.updated_at,
            observation=observation,
            editor=request.user,
            request=request,
            children=_children(request.user, data["children"])
            if data.get("children") is not None
            else None,
            media=_media_choices(request.user, payload.media)
            if payload.media is not None
            else None,
            **fields,
        )
    except ValidationError as error:
        raise _invalid(error) from None
    except services.EditConflict as conflict:
        current = selectors.observation_for(request.user, conflict.current.pk)
        return api.create_response(
            request,
            {
                "detail": "Someone else saved this entry after you read it, so your change "
                "was not applied. `current` is what it says now: merge your text into "
                "it and send it again with its `updated_at`.",
                "code": "conflict",
                "current": observation_out(request.user, current),
            },
            status=409,
        )
    observation = selectors.observation_for(request.user, observation.pk)
    return observation_out(request.user, observation)


@router.delete("/observations/{observation_id}", response={204: None})
@api_access("staff")
def observation_delete(request, observation_id: str):
    observation = _staff_observation(request, observation_id)
    services.observation_delete(observation=observation, deleted_by=request.user, request=request)
    return Status(204, None)


@router.post("/observations/{observation_id}/approve", response=ObservationOut)
@api_access("staff")
def contribution_approve(request, observation_id: str):
    observation = _staff_observation(request, observation_id)
    try:
        services.contribution_approve(
            observation=observation, approved_by=request.user, request=request
        )
    except ValidationError as error:
        raise ApiError(409, " ".join(error.messages), "conflict") from None
    observation = selectors.observation_for(request.user, observation.pk)
    return observation_out(request.user, observation)


@router.post("/observations/{observation_id}/reject", response=ObservationOut)
@api_access("staff")
def contribution_reject(request, observation_id: str, payload: RejectIn):
    observation = _staff_observation(request, observation_id)
    if not payload.reason.strip():
        raise ApiError(422, "Please give the parent a reason.", "invalid")
    try:
        services.contribution_reject(
            observation=observation,
            rejected_by=request.user,
            reason=payload.reason,
            request=request,
        )
    except ValidationError as error:
        raise ApiError(409, " ".join(error.messages), "conflict") from None
    observation = selectors.observation_for(request.user, observation.pk)
    return observation_out(request.user, observation)


@router.get("/children/{child_id}/journal", response=ObservationPage)
@api_access("signed_in")
def child_journal(
    request,
    child_id: str,
    area: str | None = None,
    since: date | None = None,
    until: date | None = None,
    has_photos: bool = False,
    q: str | None = None,
):
    """Optional filters (issue 14): `area` (an area of learning's code, GET /eyfs),
    `since` and `until` (the day observed, both included), `has_photos` (entries with a
    photo or video the caller may see) and `q` (every word in the text or next steps, as
    the caller reads them: other children's names are initials for a parent)."""
    child = child_for(request.user, child_id)
    if area and area not in AREAS_OF_LEARNING:
        raise ApiError(422, "There's no such area of learning.", "invalid")
    if q and len(q) > MAX_SEARCH:
        raise ApiError(422, f"Search for at most {MAX_SEARCH} characters.", "invalid")
    wanted = selectors.JournalFilter(
        area=area or "",
        since=date_clamped(since),
        until=date_clamped(until),
        with_media=has_photos,
        text=(q or "").strip(),
    )
    # The API names each entry's author by id: their row is not read (issue 13).
    entries = selectors.journal_filtered(request.user, child, wanted).select_related(None)
    rows, following = page(
        entries,
        request,
        first=lambda count: selectors.journal_page(
            request.user, child, wanted, offset=0, size=count, authors=False
        ),
        read=lambda later: selectors.read_listed(request.user, later),
    )
    audit_record(
        action="journal.read",
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
    )
    selectors.prepare_for_reader(request.user, rows)
    items = [_as_json(observation_out(request.user, o)) for o in rows]
    return already_shaped(request, {"items": items, "next": following})


_TIME_AS_JSON = DjangoJSONEncoder().default


def _as_json(entry: dict) -> dict:
    """An entry's ids, day and time as the text the answer's JSON holds, written here
    rather than by the encoder's fallback, one value at a time (a tenth of the answer)."""
    entry["id"] = str(entry["id"])
    entry["children"] = [str(child) for child in entry["children"]]
    entry["observed_on"] = entry["observed_on"].isoformat()
    for item in entry["media"]:
        item["id"] = str(item["id"])
    if entry["author_id"] is not None:
        entry["author_id"] = str(entry["author_id"])
    entry["updated_at"] = _TIME_AS_JSON(entry["updated_at"])
    return entry


def comment_out(comment) -> dict:
    return {
        "id": comment.pk,
        "author_id": comment.author_id,
        "text": getattr(comment, "shown_text", comment.text),
        "created_at": comment.created_at,
        "child": comment.child_id,
    }


@router.post("/observations/{observation_id}/comments", response={201: CommentOut})
@api_access("signed_in")
def comment_create(request, observation_id: str, payload: CommentIn):
    observation = selectors.observation_for(request.user, observation_id)
    child = child_for(request.user, payload.child) if payload.child else None
    try:
        comment = services.comment_add(
            observation=observation,
            author=request.user,
            text=payload.text,
            child=child,
            request=request,
        )
    except ValidationError as error:
        raise _invalid(error) from None
    return Status(201, comment_out(comment))


@router.get("/observations/{observation_id}/comments", response=CommentPage)
@api_access("signed_in")
def comment_list(request, observation_id: str):
    observation = selectors.observation_for(request.user, observation_id)
    rows, following = page(selectors.comments_for(request.user, observation), request, limit=200)
    for comment in rows:
        comment.observation = observation
    selectors.prepare_for_reader(request.user, [], rows)
    return {"items": [comment_out(c) for c in rows], "next": following}


# --- Faces in group photos (C-2) -----------------------------------------------------


class FaceIn(Schema):
    box: list[float]
    child_id: UUID | None = None


class FaceOut(Schema):
    box: list[float]
    child_id: UUID | None = None
    found: bool
    at: float | None = None


class FaceChildOut(Schema):
    id: UUID
    name: str
    image_consent: bool


class MediaFacesOut(Schema):
    id: UUID
    kind: str
    status: str
    faces: list[FaceOut]
    needs_marking: list[UUID]
    obscured: list[UUID]
    children: list[FaceChildOut]


def _faces_item(request, media_id) -> MediaItem:
    # Faces say whose they are: staff of the photo's setting only, like originals.
    item = selectors.media_for(request.user, media_id, rendition="original")
    require_cleared(request.user, item.setting_id)
    return item


@router.get("/media/{media_id}/faces", response=MediaFacesOut)
@api_access("staff")
def media_faces(request, media_id: str):
    """The faces found in a photo and whose they are (staff of its setting). Children
    without photo consent in `needs_marking` keep it out of other children's journals
    until their face is marked."""
    from acorn.journal.faces import faces_payload

    return faces_payload(_faces_item(request, media_id))


@router.put("/media/{media_id}/faces", response=MediaFacesOut)
@api_access("staff")
def media_faces_set(request, media_id: str, payload: list[FaceIn]):
    """Say where the faces are and whose they are: `[{box: [x, y, w, h], child_id}]`,
    boxes as fractions (0-1) of the photo, `child_id` null for anyone else. Replaces the
    list. Faces of children without photo consent are obscured in the copy other families
    see, which is made in the background."""
    from acorn.journal import faces

    item = _faces_item(request, media_id)
    marks = faces.marks_from(
        item.setting_id,
        [{"box": face.box, "child_id": face.child_id} for face in payload],
    )
    faces.media_faces_mark(media=item, marks=marks, marked_by=request.user, request=request)
    item.refresh_from_db()
    return faces.faces_payload(item)

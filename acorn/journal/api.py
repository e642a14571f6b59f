from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from acorn.audit.services import audit_record
from acorn.children.selectors import child_for, children_visible_to, require_some_clearance
from acorn.core.api import ApiError, api_access, page
from acorn.journal import selectors, services

router = Router(tags=["journal"])


class MediaRef(Schema):
    id: UUID
    appears: list[UUID] | None = None


class ObservationIn(Schema):
    children: list[UUID]
    text: str
    observed_on: date
    areas: list[str] = []
    next_steps: str = ""
    media: list[MediaRef] = []
    publish: bool = False


class MediaOut(Schema):
    id: UUID


class ObservationOut(Schema):
    id: UUID
    children: list[UUID]
    text: str
    observed_on: date
    areas: list[str]
    next_steps: str
    media: list[MediaOut]
    status: str
    author_id: UUID | None


class ObservationPage(Schema):
    items: list[ObservationOut]
    next: str | None


def observation_out(user, observation) -> dict:
    return {
        "id": observation.pk,
        "children": [child.pk for child in selectors.children_shown_to(user, observation)],
        "text": observation.text,
        "observed_on": observation.observed_on,
        "areas": observation.areas,
        "next_steps": observation.next_steps,
        "media": [],
        "status": observation.status,
        "author_id": observation.author_id,
    }


@router.post("/observations", response={201: ObservationOut})
@api_access("signed_in")
def observation_create(request, payload: ObservationIn):
    if payload.media:
        raise ApiError(
            422,
            "Photos and videos can't be attached yet: media uploads are still being built.",
            "invalid",
        )
    # Staff not yet cleared are told what is missing rather than "no such child".
    require_some_clearance(request.user)
    visible = {c.pk: c for c in children_visible_to(request.user).filter(pk__in=payload.children)}
    if not payload.children or len(visible) != len(set(payload.children)):
        raise ApiError(422, "Choose one or more children you may write about.", "invalid")
    try:
        observation = services.observation_create(
            author=request.user,
            children=list(visible.values()),
            text=payload.text,
            observed_on=payload.observed_on,
            areas=payload.areas,
            next_steps=payload.next_steps,
            publish=payload.publish,
            request=request,
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages), "invalid") from None
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


@router.get("/children/{child_id}/journal", response=ObservationPage)
@api_access("signed_in")
def child_journal(request, child_id: str):
    child = child_for(request.user, child_id)
    rows, following = page(selectors.journal_for(request.user, child), request)
    audit_record(
        action="journal.read",
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
    )
    return {"items": [observation_out(request.user, o) for o in rows], "next": following}

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema

from acorn.core.api import api_access, page
from acorn.notices import selectors, services

router = Router(tags=["Notifications"])


class NoticeOut(Schema):
    id: UUID
    kind: str
    text: str
    setting_id: UUID
    child_id: UUID
    object_type: str
    object_id: UUID
    created_at: datetime
    read_at: datetime | None


class NoticePage(Schema):
    items: list[NoticeOut]
    next: str | None
    unread: int


class ReadIn(Schema):
    ids: list[UUID] | None = None


class ReadOut(Schema):
    unread: int


def notice_out(notice) -> dict:
    said = selectors.describe(notice)
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "text": said.text,
        "setting_id": notice.setting_id,
        "child_id": notice.child_id,
        "object_type": said.object_type,
        "object_id": said.object_id,
        "created_at": notice.created_at,
        "read_at": notice.read_at,
    }


@router.get("/notifications", response=NoticePage)
@api_access("signed_in")
def notice_list(request, unread: bool = False):
    """The caller's own notifications that they may still see, newest first
    (`?unread=true`: only the unread ones). `unread` counts every unread one."""
    notices = selectors.notices_for(request.user)
    if unread:
        notices = notices.filter(read_at=None)
    rows, following = page(notices, request)
    return {
        "items": [notice_out(n) for n in rows],
        "next": following,
        "unread": selectors.unread_count(request.user),
    }


@router.post("/notifications/read", response=ReadOut)
@api_access("signed_in")
def notice_read(request, payload: ReadIn | None = None):
    """Mark the given notifications read (`ids`), or all of them (no `ids`). Ids that
    aren't the caller's are ignored."""
    ids = payload.ids if payload is not None else None
    if ids is None:
        services.mark_read(recipient=request.user)
    else:
        visible = selectors.notices_for(request.user).filter(pk__in=ids).select_related(None)
        services.mark_read(recipient=request.user, notices=list(visible))
    selectors.forget_unread_count(request.user)
    return {"unread": selectors.unread_count(request.user)}

from uuid import UUID

from django.shortcuts import render

from acorn.accounts.models import User
from acorn.audit.selectors import audit_trail, people_of_setting
from acorn.audit.wording import describe, group_media_views, is_media_view
from acorn.children.models import Child
from acorn.core.access import session_leader
from acorn.core.params import date_param, offset_param
from acorn.devices.selectors import devices_named
from acorn.journal.models import MediaItem

PAGE_SIZE = 100


def _who(event, names) -> str:
    if event.actor_id is not None:
        return names.get(event.actor_id, "former user")
    if event.action == "login.failed" and event.object_type == "user":
        # A failed sign-in is shown against the account tried, not as the person's act.
        return f"Someone, as {names.get(_uuid(event.object_id), 'a former user')}"
    return "—"


def _uuid(value):
    try:
        return UUID(value)
    except ValueError:
        return None


def _entries_of(setting, events) -> dict:
    """The entry each viewed photo or video belongs to, to group views (one query)."""
    ids = {_uuid(e.object_id) for e in events if is_media_view(e)} - {None}
    if not ids:
        return {}
    return {
        str(pk): str(observation_id or pk)
        for pk, observation_id in MediaItem.objects.filter(setting=setting, pk__in=ids).values_list(
            "pk", "observation_id"
        )
    }


@session_leader
def trail(request):
    """The setting's audit trail, filtered by child, person and date."""
    setting = request.membership.setting
    children = list(Child.objects.filter(setting=setting).order_by("first_name", "last_name"))
    people = list(people_of_setting(setting))
    child = next((c for c in children if str(c.pk) == request.GET.get("child")), None)
    person = next((p for p in people if str(p.pk) == request.GET.get("person")), None)
    since, until = date_param(request.GET.get("since")), date_param(request.GET.get("until"))
    offset = offset_param(request)
    events = list(
        audit_trail(
            setting,
            child_id=child.pk if child else None,
            actor_id=person.pk if person else None,
            since=since,
            until=until,
        )[offset : offset + PAGE_SIZE + 1]
    )
    names = {p.pk: p.name for p in people}
    missing = {e.actor_id for e in events if e.actor_id and e.actor_id not in names}
    names.update(User.objects.filter(pk__in=missing).values_list("pk", "name"))
    child_names = {c.pk: c.full_name for c in children}
    device_names = devices_named(setting, {e.detail.get("device") for e in events})
    rows = [
        {
            "event": e,
            "actor": _who(e, names),
            "what": describe(e),
            "child": child_names.get(e.child_id, ""),
            "device": device_names.get(e.detail.get("device"), ""),
        }
        for e in events[:PAGE_SIZE]
    ]
    rows = group_media_views(rows, _entries_of(setting, events[:PAGE_SIZE]))
    query = request.GET.copy()
    query.pop("from", None)
    return render(
        request,
        "audit/trail.html",
        {
            "rows": rows,
            "children": children,
            "people": people,
            "child": child,
            "person": person,
            "since": since,
            "until": until,
            "older": offset + PAGE_SIZE if len(events) > PAGE_SIZE else None,
            "query": query.urlencode(),
        },
    )

from django.shortcuts import render

from acorn.accounts.models import User
from acorn.audit.selectors import audit_trail, people_of_setting
from acorn.children.models import Child
from acorn.core.access import session_leader
from acorn.core.params import date_param, offset_param

PAGE_SIZE = 100


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
    rows = [
        {
            "event": e,
            "actor": names.get(e.actor_id, "—" if e.actor_id is None else "former user"),
            "child": child_names.get(e.child_id, ""),
        }
        for e in events[:PAGE_SIZE]
    ]
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

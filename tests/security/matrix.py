"""The machinery of the authorization matrix: every route of the URLconf and every
operation of the OpenAPI schema, probed as each persona with path parameters taken from
the world, and the answer classified as an outcome the expectation table can name."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import time_machine
from django.urls import URLPattern, URLResolver, get_resolver

from acorn.api import api
from tests.security import personas as p

# --- Routes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    method: str
    path: str  # as declared: "/children/<str:child_id>/" or "/api/v1/children/{child_id}"

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def page_routes() -> list[Route]:
    """Every page of the URLconf (GET), the API excluded: it comes from its schema."""
    return [
        Route("page", "GET", "/" + route)
        for route in _walk(get_resolver().url_patterns)
        if not route.startswith("api/v1/")
    ]


def api_routes() -> list[Route]:
    """Every operation of the OpenAPI schema (`/api/v1/openapi.json`)."""
    schema = api.get_openapi_schema()
    return [
        Route("api", method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]


def api_router_operations() -> set[str]:
    """The same operations as the ninja routers declare them (a cross-check)."""
    found = set()
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.add(f"{method} /api/v1{path}")
    return found


def all_routes() -> list[Route]:
    return page_routes() + api_routes()


# --- Path parameters, bodies ----------------------------------------------------------

# Path parameters come from the world: ids of objects that belong to the *target*
# setting A. A route may name other objects in its expectation (e.g. the draft).
PARAMETERS: dict[str, Callable] = {
    "child_id": lambda w: w.child.pk,
    "observation_id": lambda w: w.entry.pk,
    "media_id": lambda w: w.group_photo.pk,
    "rendition": lambda w: "display",
    "membership_id": lambda w: w.key_person_membership.pk,
    "person_id": lambda w: w.key_person.pk,
    "setting_id": lambda w: w.setting_a.pk,
    "token": lambda w: w.invitation_token,
    "uidb64": lambda w: "MQ",
    "device_id": lambda w: w.device.pk,
    "signout_id": lambda w: w.signout_out.pk,
    "term_id": lambda w: w.term.pk,
    "draft_id": lambda w: w.unsent_draft.pk,
    "report_id": lambda w: _shared_report(w).pk,
    "notice_id": lambda w: _reply_notice(w).pk,
}


def _reply_notice(world):
    """The key person's notification of the parent's reply on her entry."""
    from acorn.notices.models import Notice

    return Notice.objects.get(recipient=world.key_person, kind="reply")


def _shared_report(world):
    from tests.security.reports_world import shared_report

    return shared_report(world)


_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def fill(route: Route, world, overrides: dict | None = None) -> str:
    overrides = overrides or {}

    def value(match):
        name = match.group(1) or match.group(2)
        if name in overrides:
            return str(overrides[name](world))
        if name not in PARAMETERS:
            raise KeyError(
                f"{route.key}: no value for the path parameter {name!r}. Add it to "
                "PARAMETERS in tests/security/matrix.py (an object of setting A)."
            )
        return str(PARAMETERS[name](world))

    return _PARAMETER.sub(value, route.path)


# --- Outcomes -------------------------------------------------------------------------

OK = "ok"  # 2xx, or a redirect anywhere but the sign-in page
LOGIN = "login"  # 401, or a redirect to the sign-in page
NOT_FOUND = "404"
NOT_ALLOWED = "405"  # a page that only takes a form (POST)


def refused(code: str) -> str:
    return f"403 {code}"


@dataclass
class Probe:
    route: Route
    persona: p.Persona
    url: str
    status: int
    outcome: str
    body: bytes = b""
    wrote: list = field(default_factory=list)


def _refusal_code(response, since_pk) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return response.json().get("code", "?")
        except ValueError:
            return "?"
    from acorn.audit.models import AuditEvent

    event = (
        AuditEvent.objects.filter(pk__gt=since_pk, action__startswith="refused.")
        .order_by("-pk")
        .first()
    )
    return event.action.removeprefix("refused.") if event else "?"


def classify(response, since_pk) -> str:
    status = response.status_code
    if status == 401:
        return LOGIN
    if 300 <= status < 400:
        return LOGIN if response["Location"].startswith("/sign-in/") else OK
    if 200 <= status < 300:
        return OK
    if status == 404:
        return NOT_FOUND
    if status == 403:
        return refused(_refusal_code(response, since_pk))
    return str(status)


# --- Writes: what a refused request must not have changed ------------------------------


def snapshot(world) -> dict:
    """Cheap fingerprints of everything a write could change."""
    from acorn.accounts.models import ApiToken, Invitation, RecoveryCode, TotpDevice
    from acorn.children.models import Child, ImageConsent, ParentAgreement, ParentLink
    from acorn.devices.models import Device, DeviceCredential, SignOut
    from acorn.eyfs.models import Assessment, Term
    from acorn.journal.models import CaptureDraft, Comment, MediaAppearance, MediaItem, Observation
    from acorn.org.models import DutyPeriod, Membership, Setting
    from acorn.suitability.models import DbsCheck, Declaration

    state = {
        model.__name__: model.objects.count()
        for model in (
            Invitation,
            TotpDevice,
            RecoveryCode,
            Child,
            ImageConsent,
            ParentAgreement,
            ParentLink,
            Comment,
            MediaAppearance,
            MediaItem,
            Observation,
            DutyPeriod,
            Membership,
            DbsCheck,
            Declaration,
            Device,
            DeviceCredential,
            SignOut,
            Term,
            Assessment,
            CaptureDraft,
        )
    }
    state["revoked tokens"] = ApiToken.objects.exclude(revoked_at=None).count()
    state["observations"] = sorted(
        Observation.objects.values_list("pk", "status", "text", "updated_at")
    )
    state["children"] = sorted(
        Child.objects.values_list("pk", "first_name", "last_name", "key_person_id", "photo_id")
    )
    state["memberships"] = sorted(Membership.objects.values_list("pk", "role", "is_active"))
    state["settings"] = sorted(
        Setting.objects.values_list("pk", "on_site_networks", "trusted_proxies", "session_times")
    )
    state["duty"] = sorted(DutyPeriod.objects.values_list("pk", "ended_at"))
    state["devices"] = sorted(Device.objects.values_list("pk", "state", "name"))
    state["signouts"] = sorted(SignOut.objects.values_list("pk", "status"))
    from acorn.leaving.models import Leaving, Transfer

    state["transfers"] = sorted(Transfer.objects.values_list("pk", "status", "key_person_id"))
    state["leavings"] = sorted(
        Leaving.objects.values_list("pk", "leaving_on", "destination_setting_id", "transferred_at")
    )
    return state


def changes(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# --- Requests -------------------------------------------------------------------------


def request(route: Route, persona: p.Persona, world, *, url: str, body=None) -> Probe:
    from acorn.audit.models import AuditEvent

    moment = persona.at or None
    traveller = time_machine.travel(moment, tick=True) if moment else None
    if traveller:
        traveller.start()
    try:
        since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if route.kind == "page":
            client = p.web_client(world, persona)
            response = client.get(url)
        else:
            from django.test import Client

            client = Client(**p.api_headers(world, persona))
            response = _api_call(client, route.method, url, body)
        outcome = classify(response, since)
        content = b"" if response.streaming else response.content
        return Probe(route, persona, url, response.status_code, outcome, content)
    finally:
        if traveller:
            traveller.stop()


def _api_call(client, method, url, body):
    if body is None:
        return client.generic(method, url)
    if isinstance(body, Multipart):
        return client.post(url, body.fields)
    import json

    return client.generic(method, url, json.dumps(body), content_type="application/json")


@dataclass
class Multipart:
    fields: dict


def leaks(probe: Probe, world) -> list[str]:
    """What the answer shows that this persona must never be shown: other children's
    full names, and for parents the staff controls of an entry."""
    found = [name for name in probe.persona.never_sees if name.encode() in probe.body]
    if not probe.persona.sees_staff_controls:
        for control in (
            f"/observations/{world.entry.pk}/edit",
            f"/observations/{world.entry.pk}/delete",
            f"/media/{world.group_photo.pk}/appears",
        ):
            if control.encode() in probe.body:
                found.append(control)
    return found

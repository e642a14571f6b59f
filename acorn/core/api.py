"""The REST API (API.md): one NinjaAPI, bearer tokens, and the error shape
`{"detail": "<sentence>", "code": "<machine code>"}` for every refusal."""

import base64
import binascii
import json
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from acorn.accounts.mfa import needs_enrolment
from acorn.accounts.services import token_find_usable
from acorn.core.policy import MfaEnrolmentRequired, PolicyRefusal
from acorn.devices.services import device_token_allows
from acorn.org.rules import require_on_site
from acorn.org.selectors import current_membership

STATUS_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
    503: "unavailable",
}


class ApiError(HttpError):
    """An HttpError with an explicit machine code."""

    def __init__(self, status_code: int, detail: str, code: str | None = None):
        super().__init__(status_code, detail)
        self.code = code or STATUS_CODES.get(status_code, "error")


# A token of someone who still has to set up two-step sign-in serves only these.
ENROLMENT_PATHS = ("/api/v1/me", "/api/v1/me/mfa/")


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = token_find_usable(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        if not device_token_allows(request, api_token):
            return None
        request.membership = current_membership(api_token.user)
        signing_out = request.path == "/api/v1/auth/token" and request.method == "DELETE"
        if not signing_out:
            if needs_enrolment(api_token.user) and not (
                request.path == ENROLMENT_PATHS[0] or request.path.startswith(ENROLMENT_PATHS[1])
            ):
                raise MfaEnrolmentRequired(
                    "Please set up two-step sign-in first: POST /me/mfa/totp, then "
                    "POST /me/mfa/totp/confirm with a code."
                )
            require_on_site(request)
        return api_token.user


ERROR_DESCRIPTIONS = {
    400: "The request can't be read (for example a cursor that isn't valid).",
    401: "No credentials, or bad ones (`unauthenticated`; `mfa_required` when a code is needed).",
    403: "Known to the caller but refused by a rule; `code` names the rule.",
    404: "Doesn't exist, or the caller may not know it exists.",
    409: "Conflicts with the current state.",
    413: "Too large.",
    415: "Not a supported type of file.",
    422: "Some of the data isn't valid (`invalid`).",
    429: "Too many failed attempts: wait and try again (`throttled`).",
    503: "The database can't be reached just now; nothing was saved (`unavailable`).",
}


def _refusal_codes(status: int) -> list[str]:
    """The machine codes of the policy refusals answered with this status."""
    codes, waiting = set(), [PolicyRefusal]
    while waiting:
        refusal = waiting.pop()
        waiting.extend(refusal.__subclasses__())
        if refusal.status == status:
            codes.add(refusal.code)
    return sorted(codes)


def _error_codes(status: int) -> list[str]:
    codes = {STATUS_CODES[status], *_refusal_codes(status)}
    if status == 401:
        codes.add("mfa_required")
    return sorted(codes)


def document_errors(schema: dict) -> dict:
    """Every operation documents the error answers it can give, in the shape
    `{"detail", "code"}` (API.md): 400, 401, 403 (with the rules' codes), 404, 409, 422
    and 503 everywhere, 413 and 415 for uploads, 429 where credentials are checked. Done here,
    once, so a new endpoint is documented without anyone remembering to."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for status in ERROR_DESCRIPTIONS:
        schemas[f"Error{status}"] = {
            "title": f"Error{status}",
            "type": "object",
            "properties": {
                "detail": {"type": "string", "title": "Detail"},
                "code": {"type": "string", "title": "Code", "enum": _error_codes(status)},
            },
            "required": ["detail", "code"],
        }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            statuses = [400, 401, 403, 404, 409, 422, 503]
            body = operation.get("requestBody", {}).get("content", {})
            if "multipart/form-data" in body:
                statuses += [413, 415]
            if not operation.get("security"):
                statuses.append(429)  # sign-in and invitations count failed attempts
            # ninja keys responses by int; JSON keys are strings: one kind, no duplicates.
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status in statuses:
                responses.setdefault(
                    str(status),
                    {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/Error{status}"}
                            }
                        },
                    },
                )
    return schema


# Operations that answer with a file's bytes rather than JSON, and the types they serve.
FILE_ANSWERS = {
    "/api/v1/media/{media_id}/content": (
        "image/jpeg",
        "image/webp",
        "video/mp4",
        "image/*",
        "video/*",
    ),
    "/api/v1/reports/{report_id}/pdf": ("application/pdf",),
}


def document_files(schema: dict) -> dict:
    for path, kinds in FILE_ANSWERS.items():
        ok = schema.get("paths", {}).get(path, {}).get("get", {}).get("responses", {}).get("200")
        if ok is not None:
            ok["description"] = "The file's bytes."
            ok["content"] = {
                kind: {"schema": {"type": "string", "format": "binary"}} for kind in kinds
            }
    return schema


class AcornApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_files(document_errors(schema))


api = AcornApi(
    title="Acorn API",
    version="1",
    description="The Acorn learning journal API. docs/api.md in the repository explains it.",
    urls_namespace="api",
    auth=BearerAuth(),
    docs_url=None,
)


def already_shaped(request, data):
    """A 200 answer whose `data` is already exactly what its response schema would give (the
    same keys in the same order, of the same types), rendered without validating it again.
    For the busiest lists: validating fifty entries took a fifth of the request (issue
    13). Each use has a test that its answer is the one the schema gives."""
    return api.create_response(request, data, status=200)


def error(request, status: int, detail: str, code: str):
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(
        request, 401, "Please sign in: the token is missing, expired or revoked.", "unauthenticated"
    )


def _audit_refused(request, status: int, code: str) -> None:
    """Every 404 and 403 the API answers is on record, as on the pages (A-8)."""
    from acorn.core.middleware import audit_refusal

    if status in (403, 404):
        audit_refusal(request, code=code)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    _audit_refused(request, exc.status_code, exc.code)
    return error(request, exc.status_code, str(exc), exc.code)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    code = STATUS_CODES.get(exc.status_code, "error")
    _audit_refused(request, exc.status_code, code)
    return error(request, exc.status_code, str(exc), code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    if not getattr(exc, "not_a_refusal", False):
        _audit_refused(request, 404, "not_found")
    return error(request, 404, "Not found.", "not_found")


@api.exception_handler(PolicyRefusal)
def _refused(request, exc):
    from acorn.core.middleware import audit_refusal

    audit_refusal(request, exc)
    detail = f"{exc.detail} {exc.next_step}" if exc.next_step else exc.detail
    body = {"detail": detail, "code": exc.code}
    if getattr(exc, "missing", None) is not None:
        body["missing"] = exc.missing
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    problems = []
    for item in exc.errors:
        where = ".".join(str(part) for part in item.get("loc", [])[1:]) or "body"
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return api.create_response(
        request,
        {
            "detail": "Some of the data isn't valid. " + "; ".join(problems),
            "code": "invalid",
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    _audit_refused(request, 403, "forbidden")
    return error(request, 403, str(exc) or "You can't do that.", "forbidden")


def database_unavailable(request, exc=None):
    """The database went away mid-request: services write in one transaction, so nothing
    was half-saved; say so, and that trying again is safe."""
    response = error(request, 503, DATABASE_UNAVAILABLE, "unavailable")
    response["Retry-After"] = "30"
    return response


DATABASE_UNAVAILABLE = (
    "Acorn can't reach its records just now, so nothing was saved. Please try again in a minute."
)
api.add_exception_handler(OperationalError, database_unavailable)
api.add_exception_handler(InterfaceError, database_unavailable)


@api.exception_handler(DjangoValidationError)
def _invalid_django(request, exc):
    return error(request, 422, " ".join(exc.messages), "invalid")


def api_access(rule: str):
    """Declares who an endpoint is for, like the page decorators in core.access. The object
    checks themselves happen in the selectors the endpoint calls."""

    def decorator(func):
        func.access_rule = rule
        return func

    return decorator


def _ordering(items) -> list[str]:
    """The list's order, made total with the primary key so a cursor is exact. An
    annotation named `…_pk` is the row's own primary key read from a joined row (so an
    index there can serve the whole order)."""
    fields = list(items.query.order_by) or list(items.model._meta.ordering)
    if not any(f.lstrip("-") in ("pk", "id") or f.endswith("_pk") for f in fields):
        fields.append("-pk" if fields and fields[-1].startswith("-") else "pk")
    return fields


def _value_of(row, field: str):
    value = row
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value


def _after(fields: list[str], values: list) -> Q:
    """Rows that come after the given key in this order (a keyset condition)."""
    condition = Q()
    for index, field in enumerate(fields):
        step = Q(
            **{f"{field.lstrip('-')}__{'lt' if field.startswith('-') else 'gt'}": values[index]}
        )
        for earlier, value in zip(fields[:index], values[:index], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def _exact(value):
    """JSON for cursor values, exact to the microsecond (Django's encoder rounds times)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def page(items, request, *, limit: int = 50, first=None, read=list):
    """Slice an ordered queryset into `{"items", "next"}`. The cursor names the last item
    seen (keyset paging), so entries added meanwhile never shift or repeat a page.
    `first(count)`, if given, reads the first page's rows instead, in the same order;
    `read(queryset)` reads the later pages' rows (a list of them)."""
    fields = _ordering(items)
    items = items.order_by(*fields)
    cursor = request.GET.get("cursor")
    if cursor:
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())["after"]
            if not isinstance(values, list) or len(values) != len(fields):
                raise ValueError
            items = items.filter(_after(fields, values))
            rows = read(items[: limit + 1])
        except (
            ValueError,
            KeyError,
            TypeError,
            binascii.Error,
            UnicodeDecodeError,
            DjangoValidationError,
        ):
            raise ApiError(400, "That cursor isn't valid.", "invalid") from None
    elif first is not None:
        rows = first(limit + 1)
    else:
        rows = list(items[: limit + 1])
    following = None
    if len(rows) > limit:
        last = [_value_of(rows[limit - 1], field) for field in fields]
        encoded = json.dumps({"after": last}, default=_exact)
        following = base64.urlsafe_b64encode(encoded.encode()).decode()
    return rows[:limit], following

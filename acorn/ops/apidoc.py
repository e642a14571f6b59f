"""The API reference (docs/api.md), written from the OpenAPI schema the server itself
serves at /api/v1/openapi.json, so the document and the API cannot drift apart:
`python manage.py api_reference --write` rewrites it and a test fails when it is stale."""

from pathlib import Path

from django.conf import settings

REFERENCE = Path(settings.BASE_DIR) / "docs" / "api.md"

INTRO = """# Acorn REST API reference

Written by `python manage.py api_reference --write` from the OpenAPI schema that a running
Acorn serves at `/api/v1/openapi.json`; please don't edit it by hand (a test fails when it
is out of date).

## The basics

- **Where**: every path below starts with `/api/v1` on the Acorn server. Bodies and answers
  are JSON unless an operation says otherwise (uploads are `multipart/form-data`, PDFs and
  keepsakes are files).
- **Who is asking**: `POST /api/v1/auth/token` with an email and password (and a two-step
  code where the person has one) gives a bearer token; send it as
  `Authorization: Bearer <token>`. A token ends when the person signs out everywhere,
  after the setting's idle time, or when the device it belongs to is reported missing.
- **Refusals** always have the same shape: `{"detail": "<a sentence for people>",
  "code": "<a word for programs>"}`. 401 means no or bad credentials; 403 a rule said no
  and `code` names the rule (for example `off_site`, `outside_session_times`,
  `checks_incomplete`, `agreement_required`); 404 that the thing doesn't exist *or the
  caller may not know that it does* (another family's child answers 404, never 403);
  409 a conflict with the current state; 413 and 415 a file too large or of a kind Acorn
  doesn't take; 422 data that isn't valid; 429 too many attempts; 503 the database or
  storage is away and nothing was saved.
- **Lists** come newest first in pages: `{"items": [...], "next": "<cursor>"}`; pass
  `?cursor=` to get the next page. Cursors name the last item seen, so entries published
  while a tablet is paging never shift or repeat.
- **Dates** are `YYYY-MM-DD`, times ISO 8601 with a time zone, ids UUIDs.
"""


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _anchor(name: str) -> str:
    return "schema-" + name.lower()


def _type(schema: dict) -> str:
    if not schema:
        return "any"
    if "$ref" in schema:
        name = _name(schema["$ref"])
        return f"[{name}](#{_anchor(name)})"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            kinds = [_type(s) for s in schema[key] if s.get("type") != "null"]
            nullable = any(s.get("type") == "null" for s in schema[key])
            text = " or ".join(dict.fromkeys(kinds)) or "null"
            return f"{text} (or null)" if nullable else text
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        return f"object of {_type(values) if isinstance(values, dict) else 'any'}"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else kind


def _cell(text) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _fields(schema: dict) -> list[str]:
    properties = schema.get("properties") or {}
    if not properties:
        return []
    required = set(schema.get("required") or [])
    rows = ["| field | type | required | notes |", "|---|---|---|---|"]
    for name, field in properties.items():
        notes = field.get("description") or ""
        if "default" in field and field["default"] not in (None, "", [], {}):
            notes = f"{notes} Default `{field['default']}`.".strip()
        rows.append(
            f"| `{name}` | {_type(field)} | {'yes' if name in required else ''} | {_cell(notes)} |"
        )
    return rows


def _body(operation: dict) -> list[str]:
    content = (operation.get("requestBody") or {}).get("content") or {}
    lines = []
    for media_type, spec in content.items():
        lines.append(f"**Body** (`{media_type}`): {_type(spec.get('schema', {}))}")
        lines.append("")
    return lines


def _parameters(operation: dict) -> list[str]:
    parameters = operation.get("parameters") or []
    if not parameters:
        return []
    rows = ["| parameter | in | type | required | notes |", "|---|---|---|---|---|"]
    for parameter in parameters:
        rows.append(
            f"| `{parameter['name']}` | {parameter.get('in', '')} | "
            f"{_type(parameter.get('schema', {}))} | "
            f"{'yes' if parameter.get('required') else ''} | "
            f"{_cell(parameter.get('description'))} |"
        )
    return [*rows, ""]


def _responses(operation: dict) -> list[str]:
    """The answers when it works, in a table; the refusals (all of the shape above) as
    their codes, most of which every operation can give."""
    rows = ["| answer | meaning | body |", "|---|---|---|"]
    refusals = []
    for code, response in sorted((operation.get("responses") or {}).items()):
        if code.startswith(("4", "5")):
            refusals.append(code)
            continue
        content = response.get("content") or {}
        bodies = [
            f"{_type(spec.get('schema', {}))} (`{media_type}`)"
            if media_type != "application/json"
            else _type(spec.get("schema", {}))
            for media_type, spec in content.items()
        ]
        rows.append(f"| {code} | {_cell(response.get('description'))} | {', '.join(bodies)} |")
    lines = [*rows, ""]
    if refusals:
        lines += [f"Refusals: {', '.join(refusals)}.", ""]
    return lines


def render(schema: dict) -> str:
    """The reference as Markdown: operations grouped by their part of Acorn, then every
    schema they use with its fields."""
    by_tag: dict[str, list] = {}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            tag = (operation.get("tags") or ["other"])[0]
            by_tag.setdefault(tag, []).append((path, method.upper(), operation))
    lines = [INTRO, "## Contents", ""]
    for tag in sorted(by_tag):
        lines.append(f"- [{tag[:1].upper() + tag[1:]}](#{_slug(tag)})")
    lines.append("- [Schemas](#schemas)")
    lines.append("")
    for tag in sorted(by_tag):
        lines += [f'<a id="{_slug(tag)}"></a>', "", f"## {tag[:1].upper() + tag[1:]}", ""]
        for path, method, operation in sorted(by_tag[tag], key=lambda op: (op[0], op[1])):
            lines += [f"### `{method} {path}`", ""]
            description = (operation.get("description") or "").strip()
            summary = operation.get("summary") or ""
            lines += [description or summary, ""]
            if not operation.get("security"):
                lines += ["No sign-in needed.", ""]
            lines += _parameters(operation)
            lines += _body(operation)
            lines += _responses(operation)
    lines += ['<a id="schemas"></a>', "", "## Schemas", ""]
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        lines += [f'<a id="{_anchor(name)}"></a>', "", f"### {name}", ""]
        if component.get("description"):
            lines += [" ".join(component["description"].split()), ""]
        fields = _fields(component)
        lines += [*fields, ""] if fields else [f"{_type(component)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _slug(tag: str) -> str:
    return "api-" + "".join(c if c.isalnum() else "-" for c in tag.lower()).strip("-")


def current_reference() -> str:
    import acorn.api  # noqa: F401 - mounts every part's router
    from acorn.core.api import api

    return render(api.get_openapi_schema())

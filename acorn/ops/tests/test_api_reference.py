"""docs/api.md is the API reference for people who have only the repository: it must say
what the server's OpenAPI schema says, every operation and every field."""

from acorn.ops.apidoc import REFERENCE, current_reference


def test_the_api_reference_in_docs_is_up_to_date():
    written = REFERENCE.read_text(encoding="utf-8")
    assert written == current_reference(), (
        "docs/api.md is out of date: run `python manage.py api_reference --write`"
    )


def test_the_reference_names_every_operation_and_schema():
    import acorn.api  # noqa: F401
    from acorn.core.api import api

    schema = api.get_openapi_schema()
    text = REFERENCE.read_text(encoding="utf-8")
    for path, operations in schema["paths"].items():
        for method in operations:
            assert f"### `{method.upper()} {path}`" in text
    for name, component in schema["components"]["schemas"].items():
        assert f"### {name}\n" in text
        for field in component.get("properties", {}):
            assert f"| `{field}` |" in text

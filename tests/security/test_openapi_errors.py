"""The OpenAPI schema documents every error answer of every operation (issue 8), in the
error shape of API.md."""

from django.test import Client

ERROR_FIELDS = {"detail", "code"}


def _schema(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _error_schema(schema, response):
    ref = response["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_every_operation_documents_the_common_errors(db):
    schema = _schema(db)
    undocumented = [
        (key, status)
        for key, operation in _operations(schema)
        for status in ("401", "403", "404", "422")
        if status not in operation["responses"]
    ]
    assert undocumented == []


def test_uploads_document_too_large_and_unsupported_type(db):
    schema = _schema(db)
    uploads = [
        (key, operation)
        for key, operation in _operations(schema)
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    ]
    assert [key for key, _ in uploads] == ["POST /api/v1/media"]
    for _key, operation in uploads:
        assert {"413", "415"} <= set(operation["responses"])


def test_sign_in_documents_throttling(db):
    responses = _schema(db)["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "429" in responses
    assert "throttled" in _error_schema(_schema(db), responses["429"])["properties"]["code"]["enum"]


def test_errors_have_the_shape_of_api_md_and_403_names_the_rules(db):
    schema = _schema(db)
    for _key, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            error = _error_schema(schema, response)
            assert ERROR_FIELDS <= set(error["required"])
            assert error["properties"]["detail"]["type"] == "string"
    forbidden = _error_schema(schema, schema["paths"]["/api/v1/me"]["get"]["responses"]["403"])
    assert {
        "forbidden",
        "checks_incomplete",
        "off_site",
        "outside_session_times",
        "agreement_required",
        "mfa_enrolment_required",
        "reauthentication_required",
    } <= set(forbidden["properties"]["code"]["enum"])


def test_an_operations_own_error_answers_are_kept(db):
    """An endpoint that declares its own error response keeps it (the helper only fills
    in what is missing)."""
    responses = _schema(db)["paths"]["/api/v1/me"]["get"]["responses"]
    assert "200" in responses and "401" in responses


def test_media_content_is_documented_as_bytes(db):
    ok = _schema(db)["paths"]["/api/v1/media/{media_id}/content"]["get"]["responses"]["200"]
    assert {"image/jpeg", "image/webp", "video/mp4"} <= set(ok["content"])

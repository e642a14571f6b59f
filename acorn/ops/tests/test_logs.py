import json
import logging

import pytest

from acorn.ops.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("acorn")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def test_each_request_logs_one_json_line_with_its_request_id(client, json_lines):
    response = client.get("/healthz?who=someone")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = [line for line in json_lines if line["logger"] == "acorn.request"]
    assert line["request_id"] == request_id
    assert line["method"] == "GET" and line["status"] == 200
    assert line["path"] == "/healthz"  # never the query string
    assert "someone" not in json.dumps(line)


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="abc123-from-nginx")
    assert kept["X-Request-ID"] == "abc123-from-nginx"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>\nfake line")
    assert replaced["X-Request-ID"] != "<script>\nfake line"
    assert len(replaced["X-Request-ID"]) == 32


def test_log_lines_outside_a_request_say_so(json_lines):
    logging.getLogger("acorn.ops").warning("worker started")
    assert json_lines[-1]["request_id"] == "-"
    assert json_lines[-1]["message"] == "worker started"

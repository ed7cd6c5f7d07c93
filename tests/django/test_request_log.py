"""One JSON line per request: the route's name, status and duration; never user text."""

import json
import logging

import pytest

from annotator.request_log import JsonFormatter

pytestmark = pytest.mark.django_db


def test_it_logs_one_line_per_request_without_the_query_string(client_as, caplog, doc_url):
    caplog.set_level(logging.INFO, logger="annotator.requests")
    client = client_as("annotator")
    client.get(doc_url + "?secret=needle-in-the-query")
    records = [r for r in caplog.records if r.name == "annotator.requests"]
    assert len(records) == 1
    line = JsonFormatter().format(records[0])
    payload = json.loads(line)
    assert payload["route"] == "annotator:document-annotate"
    assert payload["status"] == 200 and payload["method"] == "GET"
    assert payload["duration_ms"] >= 0 and payload["user_id"] is not None
    assert "needle" not in line and "/projects/" not in line


def test_an_anonymous_request_has_no_user(client, caplog):
    caplog.set_level(logging.INFO, logger="annotator.requests")
    client.get("/healthz")
    (record,) = [r for r in caplog.records if r.name == "annotator.requests"]
    assert record.msg["user_id"] is None and record.msg["route"] == "healthz"


@pytest.fixture
def doc_url(demo_project):
    document = demo_project.documents.order_by("pk").first()
    return f"/projects/{demo_project.pk}/documents/{document.pk}/"

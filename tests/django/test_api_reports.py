"""GET /api/v1/projects/<id>/agreement/ and .../export/: the same report and files as the UI."""

import pytest

from annotator import services
from annotator.models import Code, Document

AGREEMENT = "/api/v1/projects/1/agreement/"
EXPORT = "/api/v1/projects/1/export/"
ROLES = [("manager", 200), ("curator", 200), ("annotator", 403), ("outsider", 404)]


@pytest.fixture
def codings(members):
    """Both annotators code the same two spans of document 1, one with different codes."""
    document = Document.objects.get(pk=1)
    for role in ("annotator", "annotator2"):
        for start, code in ((0, 1), (40, 2 if role == "annotator" else 3)):
            services.annotation_create(
                document=document,
                coder=members[role],
                code=Code.objects.get(pk=code),
                start_offset=start,
                end_offset=start + 20,
            )


@pytest.mark.parametrize(("role", "status"), [*ROLES, ("anonymous", 401)])
def test_it_gives_the_agreement_report_to_curators_and_managers(api_as, codings, role, status):
    response = api_as(role).get(AGREEMENT, {"bootstrap": 0})
    assert response.status_code == status


def test_it_gives_the_same_report_as_the_pages_download(api_as, client_as, codings):
    api = api_as("curator").get(AGREEMENT, {"bootstrap": 0, "codes": [1, 2, 3]})
    page = client_as("curator").get(
        "/projects/1/agreement/download/report.json", {"bootstrap": 0, "codes": [1, 2, 3]}
    )
    assert api.status_code == page.status_code == 200
    assert api.json() == page.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"bootstrap": -1}, "bootstrap"),
        ({"codes": [999]}, "codes"),
        ({"date_from": "x"}, "date_from"),
    ],
)
def test_it_answers_400_for_invalid_report_filters(api_as, codings, query, field):
    response = api_as("manager").get(AGREEMENT, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(("role", "status"), [*ROLES, ("anonymous", 401)])
def test_it_gives_exports_to_curators_and_managers(api_as, codings, role, status):
    assert api_as(role).get(EXPORT, {"format": "csv"}).status_code == status


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "qdc"])
def test_it_gives_the_same_file_as_the_export_page(api_as, client_as, codings, fmt):
    api = api_as("manager").get(EXPORT, {"format": fmt})
    page = client_as("manager").get("/projects/1/export/download/", {"format": fmt})
    assert api.status_code == page.status_code == 200
    assert api["Content-Type"] == page["Content-Type"]
    assert api["Content-Disposition"] == page["Content-Disposition"]
    assert b"".join(api.streaming_content) == b"".join(page.streaming_content)


@pytest.mark.parametrize("query", [{}, {"format": "pdf"}, {"format": "csv", "codes": ["x"]}])
def test_it_answers_400_for_an_invalid_export_request(api_as, query):
    response = api_as("manager").get(EXPORT, query)
    assert response.status_code == 400
    assert set(response.json()) <= {"format", "codes"}

"""The export page and the download: access matrix, narrowing, streaming responses."""

import csv
import io
import zipfile

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document

EXPECTED = {"manager": 200, "curator": 200, "annotator": 403, "outsider": 404}


@pytest.fixture
def codings(demo_project, members):
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    for coder, code, doc in [
        ("annotator", "trade", 4),
        ("annotator2", "Iran", 4),
        ("annotator", "Syria", 1),
    ]:
        services.annotation_create(
            document=Document.objects.get(pk=doc),
            coder=members[coder],
            code=codes[code],
            start_offset=0,
            end_offset=5,
        )
    return codes


@pytest.mark.parametrize("role", ["manager", "curator", "annotator", "outsider", "anonymous"])
@pytest.mark.parametrize("name", ["project-export", "project-export-download"])
def test_it_lets_only_curators_and_managers_export(client_as, demo_project, role, name):
    url = reverse(f"annotator:{name}", args=[demo_project.pk])
    response = client_as(role).get(url, {"format": "qdc"} if name.endswith("download") else {})
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == EXPECTED[role]


def test_it_shows_the_narrowing_form(client_as, codings, demo_project):
    response = client_as("curator").get(reverse("annotator:project-export", args=[demo_project.pk]))
    body = response.content.decode()
    assert 'action="/projects/1/export/download/"' in body
    assert 'type="radio" name="format" value="qdpx"' in body
    assert 'name="coders"' in body and "annotator2" in body
    assert 'name="codes"' in body and 'name="documents"' in body
    assert "style=" not in body


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename"),
    [
        ("csv", "text/csv; charset=utf-8", "israelrussia-relations-codings.csv"),
        ("documents-csv", "text/csv; charset=utf-8", "israelrussia-relations-documents.csv"),
        ("jsonl", "application/jsonl; charset=utf-8", "israelrussia-relations.jsonl"),
        ("qdpx", "application/zip", "israelrussia-relations.qdpx"),
        ("qdc", "application/xml", "israelrussia-relations.qdc"),
        ("brat", "application/zip", "israelrussia-relations-brat.zip"),
        ("archive", "application/json", "israelrussia-relations-archive.json"),
    ],
)
def test_it_streams_each_format_as_an_attachment(
    client_as, codings, demo_project, fmt, content_type, filename
):
    url = reverse("annotator:project-export-download", args=[demo_project.pk])
    response = client_as("manager").get(url, {"format": fmt})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    body = b"".join(response.streaming_content)
    if content_type == "application/zip":
        assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None


def test_it_narrows_the_csv_to_coders_codes_and_documents(
    client_as, codings, demo_project, members
):
    url = reverse("annotator:project-export-download", args=[demo_project.pk])
    client = client_as("curator")

    def rows(**params):
        response = client.get(url, {"format": "csv", **params})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return sorted(
            (r["coder"], r["code"], r["document_id"])
            for r in csv.DictReader(io.StringIO(text, newline=""))
        )

    assert len(rows()) == 3
    assert rows(coders=[members["annotator"].pk]) == [
        ("annotator", "Syria", "1"),
        ("annotator", "trade", "4"),
    ]
    assert rows(codes=[codings["Iran"].pk]) == [("annotator2", "Iran", "4")]
    assert rows(documents=[1]) == [("annotator", "Syria", "1")]


def test_it_re_renders_the_form_with_an_error_for_an_unknown_choice(client_as, demo_project):
    url = reverse("annotator:project-export-download", args=[demo_project.pk])
    response = client_as("manager").get(url, {"format": "docx", "documents": [999]})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and "docx is not one of the available choices" in body

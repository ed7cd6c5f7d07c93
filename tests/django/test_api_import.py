"""Imports through the API: .../documents/import/, .../codebook/import/, .../annotations/import/."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from annotator import services
from annotator.models import Annotation, Code, Document
from annotator.selectors.exports import export_file

DOCUMENTS = "/api/v1/projects/1/documents/import/"
CODEBOOK = "/api/v1/projects/1/codebook/import/"
ANNOTATIONS = "/api/v1/projects/1/annotations/import/"

QDC = (
    b'<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55808" name="cooperation" isCodable="true"/>'
    b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55809" name="actors" isCodable="false">'
    b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55810" name="Hezbollah" isCodable="true"/>'
    b"</Code></Codes></CodeBook>"
)


def _file(name: str, content: bytes | str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def _jsonl(*records, name="d.jsonl") -> SimpleUploadedFile:
    return _file(name, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def _post(client, url, data):
    return client.post(url, data, format="multipart")


def test_it_imports_txt_files_as_documents(api_as):
    files = [_file("one.txt", "Cafe\u0301\r\nfirst"), _file("two.txt", "Second")]
    response = _post(api_as("manager"), DOCUMENTS, {"format": "txt", "files": files})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["documents"] == 2
    assert body["message"] == "Imported 2 documents, 0 codings, 0 codes."
    one = Document.objects.get(project_id=1, title="one")
    assert (one.text, one.order) == ("Café\nfirst", 6)
    assert Document.objects.filter(project_id=1, title="two", text="Second").exists()


def test_it_imports_a_csv_with_the_column_mapping_of_the_import_page(api_as):
    data = {
        "format": "csv",
        "files": _file("in.csv", "Body,Head,Desk\nFirst text,H1,World\nSecond text,H2,Sport\n"),
        "text_column": "Body",
        "columns": "title=Head, desk=Desk",
    }
    response = _post(api_as("manager"), DOCUMENTS, data)
    assert response.status_code == 201, response.content
    assert response.json()["documents"] == 2
    document = Document.objects.get(project_id=1, title="H2")
    assert (document.text, document.metadata) == ("Second text", {"desk": "Sport"})


def test_it_imports_jsonl_documents_without_their_codings(api_as):
    upload = _jsonl(
        {"text": "A jsonl text", "title": "J", "label": [[0, 1, "trade"]]}, {"text": "Another"}
    )
    response = _post(api_as("manager"), DOCUMENTS, {"format": "jsonl", "files": upload})
    assert response.status_code == 201, response.content
    assert response.json()["documents"] == 2
    assert Document.objects.get(title="J").text == "A jsonl text"
    assert Annotation.objects.count() == 0


def test_it_adds_qdc_codes_to_the_codebook(api_as):
    response = _post(api_as("manager"), CODEBOOK, {"file": _file("c.qdc", QDC)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["codes"], body["codes_existing"]) == (2, 1)
    assert Code.objects.get(codebook_id=1, name="Hezbollah").parent.name == "actors"


def test_it_imports_jsonl_codings_attributing_unnamed_ones_to_the_caller(api_as, members):
    text = Document.objects.get(pk=4).text
    upload = _jsonl(
        {"text": text, "label": [[0, 5, "cooperation"]]},
        {
            "text": "A new article",
            "annotations": [
                {"coder": "newcoder", "code": "trade", "start_offset": 2, "end_offset": 5}
            ],
        },
    )
    response = _post(api_as("manager"), ANNOTATIONS, {"format": "jsonl", "file": upload})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["documents"], body["codings"], body["users_created"]) == (1, 2, 1)
    assert Annotation.objects.get(document_id=4).coder == members["manager"]
    coding = Annotation.objects.get(coder__username="imported-newcoder")
    assert coding.document.text[coding.start_offset : coding.end_offset] == "new"
    assert body["coders"] == [
        {"name": "", "username": "manager", "kind": "you"},
        {"name": "newcoder", "username": "imported-newcoder", "kind": "new placeholder"},
    ]


def test_it_imports_qdpx_codings(api_as, members):
    document = Document.objects.get(pk=2)
    services.annotation_create(
        document=document,
        coder=members["annotator"],
        code=Code.objects.get(codebook_id=1, name="trade"),
        start_offset=3,
        end_offset=9,
        normalise=False,  # the offsets as given: the test reads them back
    )
    qdpx = b"".join(export_file(document.project, "qdpx").chunks)
    Annotation.objects.all().delete()
    upload = _file("p.qdpx", qdpx)
    response = _post(api_as("manager"), ANNOTATIONS, {"format": "qdpx", "file": upload})
    assert response.status_code == 201, response.content
    assert (response.json()["codings"], response.json()["documents"]) == (1, 0)
    coding = Annotation.objects.get()
    assert (coding.document_id, coding.coder, coding.start_offset, coding.end_offset) == (
        2,
        members["annotator"],
        3,
        9,
    )


def _valid_request(url):
    if url == DOCUMENTS:
        return {"format": "jsonl", "files": _jsonl({"text": "a new text"})}
    if url == CODEBOOK:
        return {"file": _file("c.qdc", QDC)}
    return {"format": "jsonl", "file": _jsonl({"text": "new", "label": [[0, 3, "trade"]]})}


@pytest.mark.parametrize("url", [DOCUMENTS, CODEBOOK, ANNOTATIONS])
@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 201), ("curator", 403), ("annotator", 403), ("outsider", 404), ("anonymous", 401)],
)
def test_it_lets_only_managers_import(api_as, url, role, status, row_counts):
    before = row_counts()
    response = _post(api_as(role), url, _valid_request(url))
    assert response.status_code == status, response.content
    if status != 201:
        assert row_counts() == before


def _bad_requests():
    text1 = Document.objects.get(pk=1).text
    return {
        "malformed-jsonl": (
            ANNOTATIONS,
            {"format": "jsonl", "file": _file("d.jsonl", b'{"text": "ok"}\n{oops\n')},
            "file",
            "d.jsonl, line 2: not valid JSON",
        ),
        "malformed-qdpx": (
            ANNOTATIONS,
            {"format": "qdpx", "file": _file("p.qdpx", b"PK\x03\x04broken")},
            "file",
            "p.qdpx: not a ZIP",
        ),
        "malformed-qdc": (CODEBOOK, {"file": _file("c.qdc", b"<CodeBook/>")}, "file", "c.qdc, "),
        "wrong-encoding": (
            DOCUMENTS,
            {"format": "jsonl", "files": _file("d.jsonl", '{"text": "café"}'.encode("latin-1"))},
            "files",
            "d.jsonl, line 1: not UTF-8",
        ),
        "wrong-encoding-txt": (
            DOCUMENTS,
            {"format": "txt", "files": [_file("a.txt", "fine"), _file("b.txt", b"caf\xe9")]},
            "files",
            "b.txt",
        ),
        "duplicate-document": (
            DOCUMENTS,
            {"format": "jsonl", "files": _jsonl({"text": "brand new"}, {"text": text1})},
            "files",
            "d.jsonl, line 2: field text: the project already has a document with the same text",
        ),
        "duplicate-in-csv": (
            DOCUMENTS,
            {"format": "csv", "files": _file("d.csv", "text\nsame\nsame\n")},
            "files",
            "d.csv, line 3: field text: the project already has",
        ),
        "missing-csv-column": (
            DOCUMENTS,
            {"format": "csv", "files": _file("d.csv", "body\nx\n"), "columns": "title=Head"},
            "files",
            "d.csv",
        ),
        "unknown-code": (
            ANNOTATIONS,
            {
                "format": "jsonl",
                "file": _jsonl(
                    {
                        "text": "a new text",
                        "annotations": [
                            {"coder": "x", "code": "nope", "start_offset": 0, "end_offset": 1}
                        ],
                    }
                ),
            },
            "file",
            "d.jsonl, line 1, coding 1: field code: 'nope' is not a code",
        ),
        "beyond-text": (
            ANNOTATIONS,
            {"format": "jsonl", "file": _jsonl({"text": "new text", "label": [[0, 99, "trade"]]})},
            "file",
            "d.jsonl, line 1",
        ),
        "two-files-for-csv": (
            DOCUMENTS,
            {"format": "csv", "files": [_file("a.csv", "text\nx\n"), _file("b.csv", "text\ny\n")]},
            "files",
            "Choose one file for this kind of import.",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "malformed-jsonl",
        "malformed-qdpx",
        "malformed-qdc",
        "wrong-encoding",
        "wrong-encoding-txt",
        "duplicate-document",
        "duplicate-in-csv",
        "missing-csv-column",
        "unknown-code",
        "beyond-text",
        "two-files-for-csv",
    ],
)
def test_it_refuses_bad_files_with_a_message_naming_the_place_and_writes_nothing(
    api_as, case, row_counts
):
    url, data, field, message = _bad_requests()[case]
    before = row_counts()
    response = _post(api_as("manager"), url, data)
    assert response.status_code == 400, response.content
    messages = response.json()[field]
    assert len(messages) == 1 and messages[0].startswith(message), messages
    assert row_counts() == before


def test_it_names_the_offset_beyond_the_text(api_as):
    upload = _jsonl(
        {
            "text": "new text",
            "annotations": [{"coder": "x", "code": "trade", "start_offset": 0, "end_offset": 99}],
        }
    )
    response = _post(api_as("manager"), ANNOTATIONS, {"format": "jsonl", "file": upload})
    assert response.status_code == 400
    assert response.json()["file"][0].startswith(
        "d.jsonl, line 1, annotations[0]: field end_offset: 99 passes the end"
    )


@override_settings(ANNOTATOR_MAX_UPLOAD_BYTES=10)
@pytest.mark.parametrize(
    ("url", "data", "field", "name"),
    [
        (DOCUMENTS, {"format": "txt", "files": [_file("big.txt", b"x" * 11)]}, "files", "big.txt"),
        (CODEBOOK, {"file": _file("big.qdc", b"x" * 11)}, "file", "big.qdc"),
        (ANNOTATIONS, {"format": "qdpx", "file": _file("big.qdpx", b"x" * 11)}, "file", "big.qdpx"),
    ],
)
def test_it_refuses_a_file_over_the_size_limit(api_as, url, data, field, name, row_counts):
    before = row_counts()
    response = _post(api_as("manager"), url, data)
    assert response.status_code == 400
    assert response.json() == {field: [f"{name}: the file is larger than the limit of 10 bytes."]}
    assert row_counts() == before


@pytest.mark.parametrize(
    ("url", "data", "errors"),
    [
        (DOCUMENTS, {"format": "pdf", "files": _file("a.txt", "x")}, {"format"}),
        (DOCUMENTS, {"format": "txt"}, {"files"}),
        (
            DOCUMENTS,
            {"format": "csv", "files": _file("a.csv", "t\nx\n"), "columns": "x"},
            {"columns"},
        ),
        (
            DOCUMENTS,
            {"format": "txt", "files": _file("a.txt", "x"), "text_column": "t", "columns": ""},
            {"text_column", "columns"},
        ),
        (DOCUMENTS, {"format": "txt", "files": _file("a.txt", b"")}, {"files"}),
        (CODEBOOK, {"file": _file("c.qdc", QDC), "format": "jsonl"}, {"format"}),
        (ANNOTATIONS, {"format": "csv", "file": _file("a.csv", "x")}, {"format"}),
        (ANNOTATIONS, {"format": "jsonl", "file": "not a file"}, {"file"}),
    ],
)
def test_it_answers_400_naming_each_bad_field(api_as, url, data, errors, row_counts):
    before = row_counts()
    response = _post(api_as("manager"), url, data)
    assert response.status_code == 400, response.content
    assert set(response.json()) == errors
    assert row_counts() == before


@override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2)
def test_it_answers_400_in_json_for_more_files_than_a_request_may_hold(api_as):
    files = [_file(f"{i}.txt", f"text {i}") for i in range(3)]
    response = _post(api_as("manager"), DOCUMENTS, {"format": "txt", "files": files})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "At most 2 files per request: import more documents in several requests, "
        "or as one CSV or JSON Lines file."
    }
    assert Document.objects.count() == 5


def test_it_answers_400_for_a_broken_multipart_body(api_as):
    response = api_as("manager").post(
        DOCUMENTS, data=b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 400
    assert Document.objects.count() == 5


def test_it_answers_415_for_a_json_body(api_as):
    response = api_as("manager").post(DOCUMENTS, {"format": "txt"}, format="json")
    assert response.status_code == 415
    assert Document.objects.count() == 5

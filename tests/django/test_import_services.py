"""Import services: what they write, and every bad input refused with nothing written."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import override_settings

from annotator.models import Annotation, Code, Document, DocumentStatus, Membership
from annotator.services import imports


def _jsonl(*records) -> io.BytesIO:
    return io.BytesIO("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode())


def test_it_imports_txt_files_as_normalised_documents(demo_project):
    files = [
        ("a/first.txt", io.BytesIO("Cafe\u0301\r\nline".encode())),
        ("second.txt", io.BytesIO(b"\xef\xbb\xbfOther")),
    ]
    result = imports.documents_import_txt(project=demo_project, files=files)
    assert result.documents == 2
    first, second = Document.objects.filter(project=demo_project).order_by("-order")[:2][::-1]
    assert (first.title, first.text, first.length, first.order) == ("first", "Café\nline", 9, 6)
    assert second.text == "Other"


def test_it_imports_a_csv_with_a_text_column_and_metadata_columns(demo_project):
    data = io.BytesIO(b"Body,Head,Desk\nFirst text,H1,World\nSecond text,H2,Sport\n")
    imports.documents_import_csv(
        project=demo_project,
        file=data,
        filename="in.csv",
        text_column="Body",
        columns={"title": "Head", "desk": "Desk"},
    )
    document = Document.objects.get(title="H2")
    assert (document.text, document.metadata) == ("Second text", {"desk": "Sport"})


def test_it_imports_jsonl_codings_creating_documents_and_placeholder_coders(demo_project, members):
    data = _jsonl(
        {
            "id": 77,
            "text": "🇮🇱🤝🇷🇺 and more",
            "annotations": [
                {
                    "coder": "newcoder",
                    "code": "cooperation",
                    "start_offset": 0,
                    "end_offset": 5,
                    "memo": "m",
                },
                {"coder": "annotator", "code": "Iran", "start_offset": 6, "end_offset": 9},
            ],
        },
        {"text": Document.objects.get(pk=1).text, "label": [[0, 4, "trade"]]},
    )
    result = imports.annotations_import_jsonl(
        project=demo_project, file=data, filename="d.jsonl", user=members["manager"]
    )
    assert (result.documents, result.codings, result.users_created) == (1, 3, 1)
    assert [str(m) for m in result.coders] == [
        "newcoder → imported-newcoder (new placeholder)",
        "annotator → annotator (member)",
        "(no coder named) → manager (you)",
    ]
    assert not get_user_model().objects.filter(username="newcoder").exists()
    new = get_user_model().objects.get(username="imported-newcoder")
    assert not new.is_active and not new.has_usable_password()
    assert (new.first_name, new.last_name) == ("Imported coder", "newcoder")
    assert Membership.objects.get(user=new, project=demo_project).role == "annotator"
    coding = Annotation.objects.get(coder=new)
    assert coding.document.text[coding.start_offset : coding.end_offset] == "🇮🇱🤝🇷🇺"
    assert coding.document.external_id == "77"
    assert Annotation.objects.get(document_id=1).coder == members["manager"]
    assert DocumentStatus.objects.filter(coder=new).count() == 1
    again = imports.annotations_import_jsonl(
        project=demo_project,
        file=_jsonl(
            {
                "text": "🇮🇱🤝🇷🇺 and more",
                "annotations": [
                    {"coder": "newcoder", "code": "cooperation", "start_offset": 0, "end_offset": 5}
                ],
            }
        ),
        filename="d.jsonl",
    )
    # The same name maps to the same placeholder: the coding is stored once.
    assert (again.codings, again.codings_existing, again.users_created) == (0, 1, 0)
    assert [m.kind for m in again.coders] == ["placeholder"]


def test_it_adds_qdc_codes_to_the_codebook_keeping_existing_ones(demo_project):
    qdc = (
        b'<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55808" name="cooperation" isCodable="true"/>'
        b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55809" name="actors" isCodable="false" color="#F00">'
        b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55810" name="Hezbollah" isCodable="true"/></Code>'
        b"</Codes></CodeBook>"
    )
    result = imports.codebook_import_qdc(
        project=demo_project, file=io.BytesIO(qdc), filename="c.qdc"
    )
    assert (result.codes, result.codes_existing) == (2, 1)
    child = Code.objects.get(codebook=demo_project.codebook, name="Hezbollah")
    assert child.parent.name == "actors" and child.parent.color == "#FF0000"


def test_a_qdc_code_may_share_its_name_with_a_code_elsewhere_in_the_codebook(demo_project):
    # Names are unique among siblings only: actors/Iran coexists with the top-level Iran.
    qdc = (
        b'<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55809" name="actors" isCodable="false">'
        b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55810" name="Iran" isCodable="true"/></Code>'
        b"</Codes></CodeBook>"
    )
    result = imports.codebook_import_qdc(
        project=demo_project, file=io.BytesIO(qdc), filename="c.qdc"
    )
    assert result.codes == 2
    irans = Code.objects.filter(codebook=demo_project.codebook, name="Iran")
    assert sorted(c.path for c in irans) == ["Iran", "actors/Iran"]


def test_it_refuses_a_qdc_code_whose_name_holds_a_slash(demo_project, row_counts):
    qdc = (
        b'<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55809" name="actors" isCodable="false">'
        b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55810" name="x/y" isCodable="true"/></Code>'
        b"</Codes></CodeBook>"
    )
    before = row_counts()
    with pytest.raises(ValidationError, match="cannot contain “/”"):
        imports.codebook_import_qdc(project=demo_project, file=io.BytesIO(qdc), filename="c.qdc")
    assert row_counts() == before


def _bad_cases(demo_project):
    text1 = Document.objects.get(pk=1).text
    return {
        "malformed-jsonl": (
            imports.annotations_import_jsonl,
            {"file": io.BytesIO(b'{"text": "ok"}\n{oops\n'), "filename": "d.jsonl"},
            "d.jsonl, line 2: not valid JSON",
        ),
        "wrong-encoding": (
            imports.documents_import_jsonl,
            {"file": io.BytesIO('{"text": "caf\u00e9"}'.encode("latin-1")), "filename": "d.jsonl"},
            "d.jsonl, line 1: not UTF-8",
        ),
        "beyond-text": (
            imports.annotations_import_jsonl,
            {
                "file": _jsonl(
                    {
                        "text": "new text",
                        "annotations": [
                            {"coder": "x", "code": "trade", "start_offset": 0, "end_offset": 99}
                        ],
                    }
                ),
                "filename": "d.jsonl",
            },
            "d.jsonl, line 1, annotations[0]: field end_offset: 99 passes the end",
        ),
        "unknown-code": (
            imports.annotations_import_jsonl,
            {
                "file": _jsonl(
                    {
                        "text": "a new text",
                        "annotations": [
                            {"coder": "x", "code": "nope", "start_offset": 0, "end_offset": 1}
                        ],
                    }
                ),
                "filename": "d.jsonl",
            },
            "d.jsonl, line 1, coding 1: field code: 'nope' is not a code",
        ),
        "duplicate-document": (
            imports.documents_import_jsonl,
            {"file": _jsonl({"text": "brand new"}, {"text": text1}), "filename": "d.jsonl"},
            "d.jsonl, line 2: field text: the project already has a document with the same text",
        ),
        "duplicate-in-file": (
            imports.documents_import_csv,
            {
                "file": io.BytesIO(b"text\nsame\nsame\n"),
                "filename": "d.csv",
                "text_column": "text",
                "columns": {},
            },
            "d.csv, line 3: field text: the project already has",
        ),
        "bad-field": (
            imports.documents_import_csv,
            {
                "file": io.BytesIO(b"text,u\nabc,not a url\n"),
                "filename": "d.csv",
                "text_column": "text",
                "columns": {"url": "u"},
            },
            "d.csv, line 2: field url",
        ),
        "malformed-qdpx": (
            imports.annotations_import_qdpx,
            {"file": io.BytesIO(b"PK\x03\x04broken"), "filename": "p.qdpx"},
            "p.qdpx: not a ZIP",
        ),
        "malformed-qdc": (
            imports.codebook_import_qdc,
            {"file": io.BytesIO(b"<CodeBook/>"), "filename": "c.qdc"},
            "c.qdc, element /CodeBook",
        ),
    }


CASES = [
    "malformed-jsonl",
    "wrong-encoding",
    "beyond-text",
    "unknown-code",
    "duplicate-document",
    "duplicate-in-file",
    "bad-field",
    "malformed-qdpx",
    "malformed-qdc",
]


@pytest.mark.parametrize("case", CASES)
def test_it_refuses_bad_input_with_a_message_and_writes_nothing(
    demo_project, members, case, row_counts
):
    service, kwargs, message = _bad_cases(demo_project)[case]
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        service(project=demo_project, **kwargs)
    assert caught.value.messages[0].startswith(message), caught.value.messages
    assert row_counts() == before


def test_it_writes_nothing_when_a_late_line_is_bad(demo_project, members, row_counts):
    """Earlier lines were valid and new: the whole import still rolls back."""
    before = row_counts()
    data = _jsonl(
        {
            "text": "valid new text",
            "annotations": [
                {"coder": "fresh", "code": "trade", "start_offset": 0, "end_offset": 5}
            ],
        },
        {
            "text": "another",
            "annotations": [
                {"coder": "fresh", "code": "trade", "start_offset": 0, "end_offset": 50}
            ],
        },
    )
    with pytest.raises(ValidationError, match="line 2"):
        imports.annotations_import_jsonl(project=demo_project, file=data, filename="d.jsonl")
    assert row_counts() == before


@override_settings(ANNOTATOR_MAX_UPLOAD_BYTES=10)
def test_it_refuses_a_file_over_the_size_limit(demo_project, row_counts):
    before = row_counts()
    with pytest.raises(
        ValidationError, match="big.txt: the file is larger than the limit of 10 bytes"
    ):
        imports.documents_import_txt(
            project=demo_project, files=[("big.txt", io.BytesIO(b"x" * 11))]
        )
    assert row_counts() == before


def test_it_refuses_an_archive_whose_project_name_exists(demo_project, members, row_counts):
    from annotator.selectors.exports import export_file

    data = b"".join(export_file(demo_project, "archive").chunks)
    before = row_counts()
    with pytest.raises(
        ValidationError, match="a project named 'Israel–Russia relations' already exists"
    ):
        imports.project_import_archive(file=io.BytesIO(data), filename="a.json")
    assert row_counts() == before
    project = imports.project_import_archive(file=io.BytesIO(data), filename="a.json", name="Copy")
    assert project.codebook.name == "Israel–Russia relations (Copy)"
    assert project.documents.count() == 5
    assert dict(project.memberships.values_list("user__username", "role"))["curator"] == "curator"

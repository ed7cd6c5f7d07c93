"""Hostile imports through the API: every one answered 400 with a message, nothing written.

ZIP bombs, NUL characters (PostgreSQL cannot store them), a codebook nested 3,000 deep, JSON
nested 100,000 deep, and a codebook deeper than the code service allows.
"""

import io
import json
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from annotator.models import Code, Document
from annotator.selectors.exports import export_file
from annotator.services.codes import MAX_DEPTH

ANNOTATIONS = "/api/v1/projects/1/annotations/import/"
DOCUMENTS = "/api/v1/projects/1/documents/import/"
CODEBOOK = "/api/v1/projects/1/codebook/import/"
MiB = 1024 * 1024


def _file(name, content) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode())


def _bomb(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", b"<Project/>")
        with archive.open("sources/big.txt", "w", force_zip64=True) as member:
            for _ in range(size // MiB):
                member.write(b"a" * MiB)
    return out.getvalue()


def _qdpx_with_source(text: bytes) -> bytes:
    qde = (
        b'<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        b'name="p"><Sources><TextSource guid="00000000-0000-0000-0000-000000000001" '
        b'name="s" plainTextPath="internal://s.txt"/></Sources></Project>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/s.txt", text)
    return out.getvalue()


def _nested_qdc(depth: int) -> bytes:
    opening = "".join(
        f'<Code guid="00000000-0000-0000-0000-{i:012d}" name="deep{i}" isCodable="true">'
        for i in range(depth)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        f"<Codes>{opening}{'</Code>' * depth}</Codes></CodeBook>"
    ).encode()


CASES = {
    "zip-bomb": (
        ANNOTATIONS,
        lambda: {"format": "qdpx", "file": _file("p.qdpx", _bomb(8 * MiB))},
        "p.qdpx, sources/big.txt: expands to 8,388,608 bytes; the limit is 1,048,576.",
    ),
    "nul-in-txt": (
        DOCUMENTS,
        lambda: {"format": "txt", "files": _file("a.txt", b"one\ntw\x00o")},
        "a.txt, line 2: contains a NUL character",
    ),
    "nul-in-csv": (
        DOCUMENTS,
        lambda: {"format": "csv", "files": _file("d.csv", b"text\nab\x00c\n")},
        "d.csv, line 2: contains a NUL character",
    ),
    "nul-escape-in-documents-jsonl": (
        DOCUMENTS,
        lambda: {"format": "jsonl", "files": _file("d.jsonl", '{"text": "a\\u0000b"}\n')},
        "d.jsonl, line 1: a string contains a NUL character",
    ),
    "nul-escape-in-codings-jsonl": (
        ANNOTATIONS,
        lambda: {
            "format": "jsonl",
            "file": _file(
                "d.jsonl", '{"text": "new text", "label": [[0, 3, "trade"]], "title": "\\u0000"}\n'
            ),
        },
        "d.jsonl, line 1: a string contains a NUL character",
    ),
    "nul-byte-in-codings-jsonl": (
        ANNOTATIONS,
        lambda: {"format": "jsonl", "file": _file("d.jsonl", b'{"text": "a\x00b"}\n')},
        "d.jsonl, line 1: contains a NUL character",
    ),
    "nul-in-qdpx-source": (
        ANNOTATIONS,
        lambda: {"format": "qdpx", "file": _file("p.qdpx", _qdpx_with_source(b"ab\x00c"))},
        "p.qdpx: sources/s.txt, line 1: contains a NUL character",
    ),
    "3000-nested-codes": (
        CODEBOOK,
        lambda: {"file": _file("c.qdc", _nested_qdc(3000))},
        "c.qdc, element <Code>: elements nest more than 64 levels deep.",
    ),
    "codes-deeper-than-the-codebook-allows": (
        CODEBOOK,
        lambda: {"file": _file("c.qdc", _nested_qdc(MAX_DEPTH + 5))},
        f"field parent: A codebook's hierarchy is at most {MAX_DEPTH} levels deep.",
    ),
    "jsonl-nested-100k-deep": (
        ANNOTATIONS,
        lambda: {"format": "jsonl", "file": _file("d.jsonl", "[" * 100_000 + "]" * 100_000)},
        "d.jsonl, line 1: JSON nested more than 64 levels deep.",
    ),
}


@override_settings(ANNOTATOR_MAX_UPLOAD_BYTES=MiB)
@pytest.mark.parametrize("case", CASES)
def test_it_refuses_hostile_input_with_400_and_writes_nothing(api_as, case, row_counts):
    url, data, message = CASES[case]
    before, body = row_counts(), data()
    started = time.perf_counter()
    response = api_as("manager").post(url, body, format="multipart")
    assert response.status_code == 400, response.content
    assert message in " ".join(next(iter(response.json().values()))), response.json()
    assert time.perf_counter() - started < 5
    assert row_counts() == before


def test_a_codebook_at_the_allowed_depth_is_imported_through_the_code_service(api_as):
    response = api_as("manager").post(
        CODEBOOK, {"file": _file("c.qdc", _nested_qdc(MAX_DEPTH))}, format="multipart"
    )
    assert response.status_code == 201, response.content
    deepest = Code.objects.get(name=f"deep{MAX_DEPTH - 1}")
    assert deepest.path.count("/") == MAX_DEPTH - 1


def test_importing_the_same_file_twice_stores_it_once(api_as, members, row_counts):
    """The second of two imports of one file (the first committed) adds nothing: imports of a
    project are serialised by a row lock, and codings already stored count as present."""
    record = {
        "text": "A text imported twice",
        "annotations": [{"coder": "somebody", "code": "trade", "start_offset": 0, "end_offset": 1}],
    }
    client = api_as("manager")
    first = client.post(
        ANNOTATIONS,
        {"format": "jsonl", "file": _file("d.jsonl", json.dumps(record))},
        format="multipart",
    )
    assert first.status_code == 201
    counts = row_counts()
    second = client.post(
        ANNOTATIONS,
        {"format": "jsonl", "file": _file("d.jsonl", json.dumps(record))},
        format="multipart",
    )
    assert second.status_code == 201
    assert (second.json()["codings"], second.json()["codings_existing"]) == (0, 1)
    assert row_counts() == counts
    assert Document.objects.filter(text="A text imported twice").count() == 1


def test_a_real_qdpx_passes_the_limits(api_as, members):
    qdpx = b"".join(export_file(Document.objects.get(pk=1).project, "qdpx").chunks)
    response = api_as("manager").post(
        ANNOTATIONS, {"format": "qdpx", "file": _file("p.qdpx", qdpx)}, format="multipart"
    )
    assert response.status_code == 201, response.content

"""Round trips: export -> import into an empty database -> export again gives the same bytes;
coded text stays exact through every format (the emoji article, document 4)."""

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model

from annotator import services
from annotator.exports import brat, formats
from annotator.models import (
    Annotation,
    Code,
    Codebook,
    Document,
    DocumentStatus,
    Membership,
    Project,
)
from annotator.selectors.exports import ExportNarrowing, export_file
from annotator.services import imports

FLAGS = "🇮🇱🤝🇷🇺"


@pytest.fixture
def coded(demo_project, members):
    """Codings on the emoji article (flags, a span across a newline, memos, two coders)."""
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    emoji = Document.objects.get(pk=4)
    specs = [
        ("annotator", "cooperation", 0, 5, "the flags: 🇮🇱🤝🇷🇺"),
        ("annotator", "tension", 0, 5, "the flags: 🇮🇱🤝🇷🇺"),
        ("annotator", "Iran", 0, 5, "another memo"),
        ("annotator2", "cooperation", 0, 5, ""),
        ("annotator2", "Syria", 3, 20, "crosses\nthe newline"),
        ("annotator", "trade", 6, 12, ""),
    ]
    for coder, code, start, end, memo in specs:
        services.annotation_create(
            document=emoji,
            coder=members[coder],
            code=codes[code],
            start_offset=start,
            end_offset=end,
            memo=memo,
        )
    services.annotation_create(
        document=Document.objects.get(pk=1),
        coder=members["annotator"],
        code=codes["trade"],
        start_offset=10,
        end_offset=30,
    )
    # Distinct, exact times (microseconds) that a restore must keep.
    for i, annotation in enumerate(Annotation.objects.order_by("pk")):
        Annotation.objects.filter(pk=annotation.pk).update(
            created_at=dt.datetime(2026, 1, 2, 3, 4, 5, 123456 + i, tzinfo=dt.UTC),
            updated_at=dt.datetime(2026, 2, 3, 4, 5, 6, 654321 - i, tzinfo=dt.UTC),
        )
    Document.objects.filter(pk=2).update(metadata={"seed_file": "x.txt", "section": "World"})
    return demo_project


def _bytes(project, fmt) -> bytes:
    return b"".join(export_file(project, fmt).chunks)


def _empty_database():
    """Remove every project, codebook and user, as if importing into a fresh database."""
    Annotation.objects.all().delete()
    DocumentStatus.objects.all().delete()
    Document.objects.all().delete()
    Membership.objects.all().delete()
    Project.objects.all().delete()
    Code.objects.filter(parent__isnull=False).delete()
    Code.objects.all().delete()
    Codebook.objects.all().delete()
    get_user_model().objects.all().delete()


def test_it_restores_an_archive_into_an_empty_database_byte_identically(coded):
    first = _bytes(coded, "archive")
    _empty_database()
    restored = imports.project_import_archive(file=io.BytesIO(first), filename="a.json")
    assert _bytes(restored, "archive") == first
    assert Annotation.objects.count() == 7
    flags = Annotation.objects.filter(document__external_id="003_64630a7360519eef", end_offset=5)
    assert flags.count() == 4
    assert not get_user_model().objects.get(username="annotator").is_active


def _add_coders(project):
    """The coders of ``coded``, as members of the new project: an import maps a file's coders
    to members (anyone else becomes a placeholder account)."""
    for username in ("annotator", "annotator2"):
        user = get_user_model().objects.create_user(username=username)
        Membership.objects.create(user=user, project=project, role="annotator")


def test_it_round_trips_jsonl_byte_identically(coded):
    first = _bytes(coded, "jsonl")
    qdc = _bytes(coded, "qdc")
    _empty_database()
    codebook = Codebook.objects.create(name="fresh")
    project = Project.objects.create(name="Israel–Russia relations", codebook=codebook)
    _add_coders(project)
    imports.codebook_import_qdc(project=project, file=io.BytesIO(qdc), filename="c.qdc")
    imports.annotations_import_jsonl(project=project, file=io.BytesIO(first), filename="d.jsonl")
    assert _bytes(project, "jsonl") == first


def test_it_round_trips_qdpx_byte_identically(coded):
    first = _bytes(coded, "qdpx")
    qdc = _bytes(coded, "qdc")
    _empty_database()
    codebook = Codebook.objects.create(name="fresh")
    project = Project.objects.create(
        name="Israel–Russia relations",
        codebook=codebook,
        description=coded.description,
    )
    Project.objects.filter(pk=project.pk).update(created_at=coded.created_at)
    project.refresh_from_db()
    _add_coders(project)
    imports.codebook_import_qdc(project=project, file=io.BytesIO(qdc), filename="c.qdc")
    imports.annotations_import_qdpx(project=project, file=io.BytesIO(first), filename="p.qdpx")
    assert _bytes(project, "qdpx") == first


def test_it_exports_twice_byte_identically(coded):
    for fmt in formats.exportable():
        assert _bytes(coded, fmt) == _bytes(coded, fmt), fmt


def _expected(document_pk=4):
    text = Document.objects.get(pk=document_pk).text
    return sorted(
        (a.coder.username, a.code.name, text[a.start_offset : a.end_offset])
        for a in Annotation.objects.filter(document_id=document_pk)
    )


def test_it_keeps_the_emoji_codings_exact_through_csv(coded):
    data = _bytes(coded, "csv").decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(data, newline="")) if r["document_id"] == "4"]
    text = Document.objects.get(pk=4).text
    assert sorted((r["coder"], r["code"], r["text"]) for r in rows) == _expected()
    assert all(text[int(r["start"]) : int(r["end"])] == r["text"] for r in rows)
    assert ("annotator", "cooperation", FLAGS) in {(r["coder"], r["code"], r["text"]) for r in rows}


def test_it_keeps_the_emoji_codings_exact_through_jsonl(coded):
    lines = [json.loads(line) for line in _bytes(coded, "jsonl").decode().splitlines()]
    record = next(r for r in lines if r["id"] == "003_64630a7360519eef")
    assert record["text"].startswith(FLAGS + "\n")
    found = sorted(
        (a["coder"], a["code"], record["text"][a["start_offset"] : a["end_offset"]])
        for a in record["annotations"]
    )
    assert found == _expected()
    assert [0, 5, "cooperation"] in record["label"]


def test_it_keeps_the_emoji_codings_exact_through_qdpx(coded):
    from xml.etree import ElementTree as ET

    archive = zipfile.ZipFile(io.BytesIO(_bytes(coded, "qdpx")))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    root = ET.fromstring(archive.read("project.qde"))  # noqa: S314
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", ns)}
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", ns)}
    source = next(
        s
        for s in root.iterfind(".//q:TextSource", ns)
        if s.get("name").startswith("Israel, Russia")
    )
    raw = archive.read(source.get("plainTextPath").replace("internal://", "sources/"))
    assert raw.startswith(FLAGS.encode() + b"\n")
    text = raw.decode("utf-8")
    found = sorted(
        (
            users[coding.get("creatingUser")],
            codes[coding.find("q:CodeRef", ns).get("targetGUID")],
            text[int(sel.get("startPosition")) : int(sel.get("endPosition"))],
        )
        for sel in source.iterfind("q:PlainTextSelection", ns)
        for coding in sel.iterfind("q:Coding", ns)
    )
    assert found == _expected()


def test_it_keeps_the_emoji_codings_exact_through_brat(coded):
    archive = zipfile.ZipFile(io.BytesIO(_bytes(coded, "brat")))
    found = []
    for coder in ("annotator", "annotator2"):
        stem = brat.document_stem(next(iter_documents(coded, 4)))
        text = archive.read(f"{coder}/{stem}.txt").decode("utf-8")
        for line in archive.read(f"{coder}/{stem}.ann").decode().splitlines():
            if not line.startswith("T"):
                continue
            _, middle, covered = line.split("\t")
            kind, spans = middle.split(" ", 1)
            pieces = [tuple(map(int, s.split())) for s in spans.split(";")]
            assert covered == " ".join(text[a:b] for a, b in pieces)
            found.append((coder, kind, text[pieces[0][0] : pieces[-1][1]]))
    assert sorted(found) == _expected()


def iter_documents(project, pk):
    from annotator.selectors.exports import export_documents

    return export_documents(project, ExportNarrowing(document_ids=(pk,)))

"""Interoperability: doccano and Label Studio both ways, on the emoji article (document 4, which
opens with the flag emoji) and a code hierarchy (a path with ``/``) whose names hold ``<`` and ``&``
(a ``/`` inside a name is refused by the codebook rules)."""

import io
import json
import zipfile

import pytest
from defusedxml import ElementTree as ET
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command

from annotator import services
from annotator.exports.formats import get as get_format
from annotator.models import Annotation, Code, Codebook, Document, Membership, Project
from annotator.selectors.exports import export_file
from annotator.services import imports
from annotator.services.codes import code_save

PARENT, CHILD = "Q&A <frames>", "left & right"
NESTED = f"{PARENT}/{CHILD}"


@pytest.fixture
def coded(demo_project, members):
    book = demo_project.codebook
    parent = code_save(code=Code(codebook=book), data={"name": PARENT, "parent": None})
    code_save(code=Code(codebook=book), data={"name": CHILD, "parent": parent})
    codes = {c.name: c for c in Code.objects.filter(codebook=book)}
    emoji = Document.objects.get(pk=4)
    specs = [
        ("annotator", "cooperation", 0, 5, "the flags"),
        ("annotator", CHILD, 6, 12, ""),
        ("annotator", "trade", 3, 20, "crosses\nthe newline"),
        ("annotator2", "cooperation", 0, 2, ""),
        ("annotator2", PARENT, 6, 12, "a & b < c"),
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
    return demo_project


def _bytes(project, fmt, **kwargs) -> bytes:
    return b"".join(export_file(project, fmt, **kwargs).chunks)


def _codings(project) -> set[tuple]:
    return set(
        Annotation.objects.filter(document__project=project).values_list(
            "coder__username", "code__name", "document__text_sha256", "start_offset", "end_offset"
        )
    )


def _fresh_project(source) -> Project:
    """An empty project with the same codebook (copied through its .qdc) and coders."""
    qdc = _bytes(source, "qdc")
    project = Project.objects.create(name="fresh", codebook=Codebook.objects.create(name="fresh"))
    imports.codebook_import_qdc(project=project, file=io.BytesIO(qdc), filename="c.qdc")
    for username in ("annotator", "annotator2"):
        user = get_user_model().objects.get(username=username)
        Membership.objects.create(user=user, project=project, role="annotator")
    return project


def _utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


def _doccano_lines(data: bytes) -> dict[str, list[dict]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: [json.loads(line) for line in archive.read(name).decode().splitlines()]
            for name in archive.namelist()
        }


def _zip(files: dict[str, list[dict]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, lines in files.items():
            archive.writestr(name, "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    return out.getvalue()


def test_doccano_export_counts_utf16_units_per_coder_file(coded):
    files = _doccano_lines(_bytes(coded, "doccano"))
    assert set(files) == {"annotator.jsonl", "annotator2.jsonl"}
    line = next(x for x in files["annotator.jsonl"] if x["text"].startswith("🇮🇱"))
    text = line["text"]
    # JavaScript's indices: the emoji (5 code points) are 8 UTF-16 units
    assert [_utf16(text, 6), _utf16(text, 12), NESTED] in line["label"]
    for start, end, _ in line["label"]:
        assert text.encode("utf-16-le")[start * 2 : end * 2].decode("utf-16-le")


def test_a_doccano_round_trip_with_spans_added_moved_and_removed_lands_exactly(coded):
    files = _doccano_lines(_bytes(coded, "doccano"))
    lines = files["annotator.jsonl"]
    line = next(x for x in lines if x["text"].startswith("🇮🇱"))
    text = line["text"]
    # As a doccano user would: remove the "trade" span, move the nested one by two characters,
    # add a span on "Russia" after the emoji, in doccano's UTF-16 indices.
    line["label"] = [label for label in line["label"] if label[2] != "trade"]
    for label in line["label"]:
        if label[2] == NESTED:
            label[0] += 2
            label[1] += 2
    russia = text.index("Russia")
    line["label"].append([_utf16(text, russia), _utf16(text, russia + 6), "tension"])
    project = _fresh_project(coded)
    result = imports.annotations_import(
        project=project, format="doccano", file=io.BytesIO(_zip(files)), filename="d.zip"
    )
    digest = Document.objects.get(pk=4).text_sha256
    mine = {c for c in _codings(project) if c[0] == "annotator" and c[2] == digest}
    assert mine == {
        ("annotator", "cooperation", digest, 0, 5),
        ("annotator", CHILD, digest, 8, 14),
        ("annotator", "tension", digest, russia, russia + 6),
    }
    assert Document.objects.get(pk=4).text[russia : russia + 6] == "Russia"
    # annotator2's file came back untouched
    theirs = {c for c in _codings(project) if c[0] == "annotator2"}
    assert theirs == {c for c in _codings(coded) if c[0] == "annotator2"}
    assert result.codings == len(mine) + len(theirs)


@pytest.mark.parametrize("unit", ["codepoint", "utf16", "grapheme"])
def test_doccano_round_trips_exactly_in_every_unit(coded, unit):
    data = _bytes(coded, "doccano", offsets=unit)
    project = _fresh_project(coded)
    options = imports.import_options(get_format("doccano"), offsets=unit)
    imports.annotations_import(
        project=project,
        format="doccano",
        file=io.BytesIO(data),
        filename="d.zip",
        options=options,
    )
    # every span starts and ends on a grapheme boundary ([0, 2) is the first flag), so even
    # grapheme counting lands exactly
    assert _codings(project) == _codings(coded)
    assert _bytes(project, "doccano", offsets=unit) == data


def test_doccano_refuses_utf16_offsets_read_as_if_they_were_inside_an_emoji(coded):
    line = {"text": Document.objects.get(pk=4).text, "label": [[1, 4, "trade"]]}
    project = _fresh_project(coded)
    with pytest.raises(ValidationError, match=r"line 1, label\[0\]: field start_offset: 1 falls"):
        imports.annotations_import(
            project=project,
            format="doccano",
            file=io.BytesIO(json.dumps(line).encode()),
            filename="d.jsonl",
        )
    assert not Annotation.objects.filter(document__project=project).exists()


def test_a_doccano_user_field_names_the_coder_of_a_single_jsonl(coded, members):
    text = Document.objects.get(pk=4).text
    line = {
        "text": text,
        "label": [[_utf16(text, 6), _utf16(text, 12), "trade"]],
        "user": "annotator2",
    }
    project = _fresh_project(coded)
    imports.annotations_import(
        project=project,
        format="doccano",
        file=io.BytesIO(json.dumps(line).encode()),
        filename="d.jsonl",
        user=members["manager"],
    )
    assert {c[0] for c in _codings(project)} == {"annotator2"}
    assert {(c[3], c[4]) for c in _codings(project)} == {(6, 12)}


def test_jsonl_label_wins_over_annotations_and_says_so(coded):
    lines = [json.loads(x) for x in _bytes(coded, "jsonl").decode().splitlines()]
    line = next(x for x in lines if x["text"].startswith("🇮🇱"))
    line["label"] = [label for label in line["label"] if label[2] != "trade"]
    line["label"].append([30, 40, "Iran"])
    data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()
    project = _fresh_project(coded)
    importer = get_user_model().objects.get(username="annotator2")
    result = imports.annotations_import(
        project=project, format="jsonl", file=io.BytesIO(data), filename="d.jsonl", user=importer
    )
    codings = _codings(project)
    assert not [c for c in codings if c[1] == "trade"]
    assert [c for c in codings if c[1] == "Iran"] == [
        ("annotator2", "Iran", Document.objects.get(pk=4).text_sha256, 30, 40)
    ]
    (warning,) = result.warnings
    assert warning.startswith("line 4: label differs from annotations; label wins")
    assert "1 spans added, 1 codings dropped" in warning
    assert "Warnings: line 4" in str(result)


def test_label_studio_round_trips_every_coder_and_memo(coded):
    first = _bytes(coded, "label-studio")
    tasks = json.loads(first)
    emoji = next(t for t in tasks if t["data"]["text"].startswith("🇮🇱"))
    assert {a["completed_by"]["username"] for a in emoji["annotations"]} == {
        "annotator",
        "annotator2",
    }
    results = [r for a in emoji["annotations"] for r in a["result"]]
    nested = next(r for r in results if r["value"]["labels"] == [NESTED])
    assert nested["value"]["start"] == 6  # code points
    assert nested["value"]["text"] == emoji["data"]["text"][6:12]
    project = _fresh_project(coded)
    imports.annotations_import(
        project=project, format="label-studio", file=io.BytesIO(first), filename="t.json"
    )
    assert _codings(project) == _codings(coded)
    assert set(Annotation.objects.filter(document__project=project).values_list("memo")) == set(
        Annotation.objects.filter(document__project=coded).values_list("memo")
    )


def test_label_studio_export_of_its_own_shape_imports_predictions_and_user_ids(coded):
    text = Document.objects.get(pk=1).text
    task = {
        "id": 7,
        "data": {"text": text},
        "annotations": [
            {
                "completed_by": 3,
                "result": [
                    {"type": "labels", "value": {"start": 0, "end": 4, "labels": ["trade"]}},
                    {"type": "choices", "value": {"choices": ["x"]}},
                ],
            },
            {"completed_by": 4, "was_cancelled": True, "result": []},
        ],
        "predictions": [
            {
                "model_version": "ner-v1",
                "result": [{"type": "labels", "value": {"start": 5, "end": 9, "labels": ["Iran"]}}],
            }
        ],
    }
    project = _fresh_project(coded)
    result = imports.annotations_import(
        project=project,
        format="label-studio",
        file=io.BytesIO(json.dumps([task]).encode()),
        filename="ls.json",
    )
    assert {m.name for m in result.coders} == {"label-studio-3", "ner-v1"}
    assert {(c[1], c[3], c[4]) for c in _codings(project)} == {("trade", 0, 4), ("Iran", 5, 9)}


def test_label_studio_labeling_config_lists_every_code_escaped(coded):
    xml = _bytes(coded, "label-studio-config").decode()
    root = ET.fromstring(xml)
    values = [label.get("value") for label in root.iter("Label")]
    assert NESTED in values and PARENT in values
    assert "&amp;" in xml and "&lt;" in xml
    assert root.find("Text").get("value") == "$text"


def test_the_export_command_takes_an_offset_unit(coded, tmp_path):
    out = tmp_path / "d.zip"
    call_command(
        "export_project",
        str(coded.pk),
        "--format",
        "doccano",
        "--offsets",
        "codepoint",
        "--output",
        str(out),
    )
    line = next(
        x for x in _doccano_lines(out.read_bytes())["annotator.jsonl"] if x["text"].startswith("🇮🇱")
    )
    assert [6, 12, NESTED] in line["label"]


def test_the_api_exports_and_imports_doccano_with_an_offset_unit(coded, api_as):
    client = api_as("manager")
    response = client.get(
        f"/api/v1/projects/{coded.pk}/export/", {"format": "doccano", "offsets": "grapheme"}
    )
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    line = next(x for x in _doccano_lines(data)["annotator.jsonl"] if x["text"].startswith("🇮🇱"))
    assert [4, 10, NESTED] in line["label"]  # 2 flags + handshake + newline = 4 graphemes
    bad = client.get(f"/api/v1/projects/{coded.pk}/export/", {"format": "qdpx", "offsets": "utf16"})
    assert bad.status_code == 400
    assert "offsets" in bad.json()


def test_inception_xmi_loads_in_dkpro_cassis_with_every_coding_and_round_trips(coded):
    from cassis import load_cas_from_xmi, load_typesystem

    first = _bytes(coded, "inception-xmi")
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        system = load_typesystem(io.BytesIO(archive.read("TypeSystem.xml")))
        found = set()
        for name in archive.namelist():
            if not name.endswith(".xmi"):
                continue
            cas = load_cas_from_xmi(io.BytesIO(archive.read(name)), typesystem=system)
            text = cas.sofa_string
            digest = Document.objects.get(text=text).text_sha256
            for a in cas.select("webanno.custom.Code"):
                assert a.get_covered_text() == text[a.begin : a.end]
                found.add(
                    (
                        a.get("coder"),
                        a.get("label").removeprefix(PARENT + "/"),
                        digest,
                        a.begin,
                        a.end,
                    )
                )
        # the XMI on disk counts UTF-16 units, as Java does: the flags shift it
        emoji = next(
            archive.read(n).decode() for n in archive.namelist() if "🇮🇱" in archive.read(n).decode()
        )
        assert 'begin="11"' in emoji  # code point 6 is UTF-16 unit 11
    assert found == _codings(coded)
    project = _fresh_project(coded)
    imports.annotations_import(
        project=project, format="inception-xmi", file=io.BytesIO(first), filename="x.zip"
    )
    assert _codings(project) == _codings(coded)
    # the same XMI again (the file names follow titles, which the XMI does not carry)
    assert _xmi_members(_bytes(project, "inception-xmi")) == _xmi_members(first)


def _xmi_members(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sorted(archive.read(n) for n in archive.namelist())


def test_inception_xmi_with_a_dtd_is_refused(coded):
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    project = _fresh_project(coded)
    with pytest.raises(ValidationError, match="x.xmi"):
        imports.annotations_import(
            project=project, format="inception-xmi", file=io.BytesIO(evil), filename="x.xmi"
        )


def test_import_codebook_reads_the_codebook_of_a_qdpx(coded, tmp_path, capsys):
    qdpx = tmp_path / "p.qdpx"
    qdpx.write_bytes(_bytes(coded, "qdpx"))
    project = Project.objects.create(name="empty", codebook=Codebook.objects.create(name="e"))
    call_command("import_codebook", str(project.pk), str(qdpx))
    paths = set(Code.objects.filter(codebook=project.codebook).values_list("name", flat=True))
    assert {PARENT, CHILD, "trade"} <= paths
    assert Code.objects.get(codebook=project.codebook, name=CHILD).parent.name == PARENT
    assert capsys.readouterr().out.startswith("Imported 0 documents, 0 codings,")


def test_a_taguette_codebook_imports_through_the_api_with_its_warnings(coded, api_as):
    qdc = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        b'<Codes><Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="taguette" '
        b'isCodable="true"/></Codes><Sets/></CodeBook>'
    )
    response = api_as("manager").post(
        f"/api/v1/projects/{coded.pk}/codebook/import/",
        {"file": io.BytesIO(qdc)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["codes"] == 1
    assert [w.split(": ", 1)[1][:20] for w in body["warnings"]] == [
        "an empty <Sets/> in ",
        "1 GUIDs in lower cas",
    ]


def test_hugging_face_jsonl_loads_with_plain_pyarrow_with_exact_spans(coded):
    import pyarrow.json

    data = _bytes(coded, "hf-jsonl")
    # tiny blocks: type inference must agree across documents with and without spans
    table = pyarrow.json.read_json(
        io.BytesIO(data), read_options=pyarrow.json.ReadOptions(block_size=1 << 16)
    )
    rows = table.to_pylist()
    assert len(rows) == Document.objects.filter(project=coded).count()
    found = {
        (
            s["coder"],
            s["label"].removeprefix(PARENT + "/"),
            Document.objects.get(text=r["text"]).text_sha256,
            s["start"],
            s["end"],
        )
        for r in rows
        for s in r["spans"]
    }
    assert found == _codings(coded)
    assert str(table.schema.field("published").type) == "string"
    assert str(table.schema.field("metadata").type) == "string"


def test_xlsx_holds_the_coded_text_with_emoji_intact(coded):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_bytes(coded, "xlsx")), read_only=True)
    rows = list(book["codings"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("project", "document_id", "external_id")
    text = {r[header.index("code_path")]: r[header.index("text")] for r in body}
    emoji = Document.objects.get(pk=4).text
    assert text[NESTED] == emoji[6:12]
    assert emoji[0:5] in {r[header.index("text")] for r in body}  # the flags, intact
    assert len(body) == Annotation.objects.filter(document__project=coded).count()
    documents = list(book["documents"].iter_rows(values_only=True))
    assert len(documents) == 1 + Document.objects.filter(project=coded).count()


def test_spacy_reads_our_docbin_with_every_coding_as_a_span(coded):
    import spacy
    from spacy.tokens import DocBin

    data = _bytes(coded, "spacy")
    docs = list(DocBin().from_bytes(data).get_docs(spacy.blank("xx").vocab))
    assert len(docs) == Document.objects.filter(project=coded).count()
    found = set()
    for doc in docs:
        digest = Document.objects.get(text=doc.text).text_sha256
        for span in doc.spans["codes"]:
            found.add(
                (
                    span.id_,
                    span.label_.removeprefix(PARENT + "/"),
                    digest,
                    span.start_char,
                    span.end_char,
                )
            )
    expected = _codings(coded)
    assert len(found) == len(expected)
    for coder, name, digest, start, end in expected:
        # a coding inside a token is widened to whole tokens; it never shrinks
        assert any(
            f[:3] == (coder, name, digest) and f[3] <= start and f[4] >= end for f in found
        ), (coder, name, start, end)
    assert ("annotator", CHILD, Document.objects.get(pk=4).text_sha256, 6, 12) in found


def test_conll_tags_each_code_in_its_own_column_per_coder(coded):
    with zipfile.ZipFile(io.BytesIO(_bytes(coded, "conll"))) as archive:
        assert sorted(archive.namelist()) == ["annotator.conll", "annotator2.conll"]
        lines = archive.read("annotator.conll").decode().split("\n")
    header = lines[0].split("\t")
    assert header[:3] == ["# token", "start", "end"]
    assert {NESTED, PARENT, "trade"} <= set(header[3:])
    emoji = Document.objects.get(pk=4).text
    rows = [line.split("\t") for line in lines[1:] if "\t" in line]
    israel = next(r for r in rows if r[1] == "6" and r[0] == emoji[6:12])
    assert israel[2] == "12"
    assert israel[header.index(NESTED)] == f"B-{NESTED}"
    assert israel[header.index("trade")] == "I-trade"
    assert len(israel) == 3 + len(Code.objects.filter(codebook=coded.codebook))
    position = rows.index(israel)
    assert [r[0] for r in rows[position - 3 : position]] == ["🇮🇱", "🤝", "🇷🇺"]  # whole clusters
    assert rows[position - 3][header.index("cooperation")] == "B-cooperation"
    assert rows[position - 1][header.index("cooperation")] == "I-cooperation"


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append({"t": "\t", "n": "\n"}.get(nxt, nxt))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _split(cell: str) -> list[str]:
    """A stacked cell's values: split on ``|`` not escaped by a backslash."""
    parts, current, i = [], "", 0
    while i < len(cell):
        if cell[i] == "\\":
            current += cell[i : i + 2]
            i += 2
            continue
        if cell[i] == "|":
            parts.append(current)
            current = ""
        else:
            current += cell[i]
        i += 1
    return [*parts, current]


def test_webanno_tsv_has_every_coding_with_utf16_offsets(coded):
    import re

    with zipfile.ZipFile(io.BytesIO(_bytes(coded, "webanno-tsv"))) as archive:
        emoji_text = Document.objects.get(pk=4).text
        tsv = next(
            archive.read(n).decode()
            for n in archive.namelist()
            if f"#Text={emoji_text.splitlines()[1]}" in archive.read(n).decode()
        )
    assert tsv.startswith(
        "#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Code|coder|label|memo\n\n\n#Text="
    )
    spans: dict[tuple, list] = {}
    for line in tsv.splitlines():
        if not re.match(r"\d+-\d+\t", line):
            continue
        _, offsets, token, coders, labels, memos, rest = line.split("\t")
        assert rest == ""  # the trailing tab
        begin, end = map(int, offsets.split("-"))
        for i, (coder, label) in enumerate(zip(_split(coders), _split(labels), strict=True)):
            if coder == "_":
                continue
            ident = re.search(r"\[(\d+)\]$", coder)
            key = (ident.group(1) if ident else f"{begin}-{i}", coder.split("[")[0])
            spans.setdefault(key, []).append(
                (begin, end, _unescape(re.sub(r"\[\d+\]$", "", label)))
            )
    found = set()
    for (_, coder), pieces in spans.items():
        begin, end = pieces[0][0], pieces[-1][1]
        found.add((coder, pieces[0][2], begin, end))
    utf16 = lambda offset: _utf16(emoji_text, offset)  # noqa: E731
    assert ("annotator", NESTED, utf16(6), utf16(12)) in found
    assert ("annotator2", PARENT, utf16(6), utf16(12)) in found
    assert ("annotator", "cooperation", 0, utf16(5)) in found
    assert ("annotator2", "cooperation", 0, utf16(2)) in found  # the first flag: one token
    assert len(found) == Annotation.objects.filter(document_id=4).count()


def test_the_export_page_downloads_doccano_in_graphemes_and_refuses_a_unit_for_csv(
    coded, client_as
):
    from django.urls import reverse

    client = client_as("curator")
    url = reverse("annotator:project-export-download", args=[coded.pk])
    response = client.get(url, {"format": "doccano", "offsets": "grapheme"})
    assert response.status_code == 200
    line = next(
        x
        for x in _doccano_lines(b"".join(response.streaming_content))["annotator.jsonl"]
        if x["text"].startswith("🇮🇱")
    )
    assert [4, 10, NESTED] in line["label"]
    refused = client.get(url, {"format": "csv", "offsets": "utf16"})
    assert refused.status_code == 400
    assert "has no offset unit to choose" in refused.content.decode()
    page = client.get(reverse("annotator:project-export", args=[coded.pk])).content.decode()
    assert 'name="offsets" value="grapheme"' in page


def test_the_import_page_takes_doccano_with_its_offset_unit(coded, client_as):
    from django.urls import reverse

    text = Document.objects.get(pk=4).text
    line = {"text": text, "label": [[4, 10, "trade"]], "user": "annotator2"}  # graphemes
    upload = io.BytesIO(json.dumps(line).encode())
    upload.name = "d.jsonl"
    response = client_as("manager").post(
        reverse("annotator:project-import", args=[coded.pk]),
        {"kind": "annotations-doccano", "offsets": "grapheme", "files": upload, "confirm": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Confirm import" in response.content.decode()  # the coder mapping comes first
    digest = response.content.decode().split('name="confirm" value="')[1].split('"')[0]
    upload.seek(0)
    done = client_as("manager").post(
        reverse("annotator:project-import", args=[coded.pk]),
        {"kind": "annotations-doccano", "offsets": "grapheme", "files": upload, "confirm": digest},
        headers={"HX-Request": "true"},
    )
    assert "Imported 0 documents, 1 codings" in done.content.decode()
    assert Annotation.objects.filter(
        document_id=4,
        coder__username="annotator2",
        code__name="trade",
        start_offset=6,
        end_offset=12,
    ).exists()


def test_the_import_command_takes_an_offset_unit_and_refuses_one_for_qdpx(coded, tmp_path, capsys):
    from django.core.management.base import CommandError

    text = Document.objects.get(pk=4).text
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[11, 17, "trade"]], "user": "annotator"}))
    call_command(
        "import_annotations", str(coded.pk), str(path), "--format", "doccano", "--offsets", "utf16"
    )
    assert "1 codings" in capsys.readouterr().out
    assert Annotation.objects.filter(
        document_id=4, coder__username="annotator", code__name="trade", start_offset=6
    ).exists()
    with pytest.raises(CommandError, match="qdpx has no offset unit option"):
        call_command(
            "import_annotations", str(coded.pk), str(path), "--format", "qdpx", "--offsets", "utf16"
        )


@pytest.mark.parametrize("fmt", ["label-studio", "doccano"])
def test_documents_keep_their_fields_through_label_studio_and_doccano(coded, fmt):
    import datetime as dt

    Document.objects.filter(pk=4).update(
        title="Flags",
        source="Desk",
        author="A. B.",
        url="https://example.org/x",
        published=dt.date(2020, 1, 2),
        metadata={"section": "World"},
    )
    data = _bytes(coded, fmt)
    project = Project.objects.create(name="docs", codebook=Codebook.objects.create(name="d"))
    imports.documents_import(project=project, format=fmt, file=io.BytesIO(data), filename="f")
    copy = Document.objects.get(project=project, text=Document.objects.get(pk=4).text)
    assert (copy.title, copy.source, copy.author, copy.url, copy.published) == (
        "Flags",
        "Desk",
        "A. B.",
        "https://example.org/x",
        dt.date(2020, 1, 2),
    )
    assert copy.metadata["section"] == "World"
    assert copy.external_id == Document.objects.get(pk=4).external_id

"""REFI-QDA writers and readers over plain rows: schema validity, stable GUIDs, no BOM, LF."""

import datetime as dt
import io
import re
import zipfile

import pytest

from annotator.exports import refi, refi_read
from annotator.exports.common import BadFile, guid
from annotator.exports.rows import CodeRow, CodingRow, DocumentRow, ProjectRow

T0 = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
CODES = (
    CodeRow(path="actors", name="actors", parent_path="", color="#112233", is_active=False),
    CodeRow(
        path="actors/Iran",
        name="Iran",
        parent_path="actors",
        color="#ffaa00",
        definition="Any reference to Iran.",
        inclusion_criteria="Officials too.",
        example="Tehran said",
    ),
    CodeRow(path="cooperation", name="cooperation", parent_path="", order=1),
)
PROJECT = ProjectRow(
    name="Gulf coverage",
    description="A test project",
    created_at=T0,
    codes=CODES,
    coders=("alice", "bob"),
    metadata_keys=("section", "title"),
)


def _documents():
    text = "🇮🇱🤝🇷🇺\nIsrael and Russia met.\nSecond line."
    return [
        DocumentRow(
            id=1,
            text=text,
            title="Flags",
            published=dt.date(2019, 2, 21),
            metadata={"section": "World", "title": "clash"},
            text_sha256="a" * 64,
            codings=[
                CodingRow("alice", "actors/Iran", 0, 5, "memo 🇮🇱", T0, T0),
                CodingRow("alice", "cooperation", 0, 5, "memo 🇮🇱", T0, T0),
                CodingRow("bob", "cooperation", 3, 20, "", T0, T0),
            ],
        ),
        DocumentRow(id=2, text="Plain text.", text_sha256="b" * 64),
    ]


def _qdpx() -> bytes:
    out = io.BytesIO()
    refi.write_qdpx(PROJECT, _documents(), out)
    return out.getvalue()


def test_it_writes_a_qdc_that_validates_against_the_codebook_schema():
    data = refi.write_qdc(PROJECT)
    assert data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"'
    )
    refi.schema("Codebook").validate(data.decode())
    assert b"<Sets" not in data


def test_it_writes_a_qdpx_whose_project_validates_against_the_project_schema():
    archive = zipfile.ZipFile(io.BytesIO(_qdpx()))
    qde = archive.read("project.qde").decode()
    refi.schema("Project").validate(qde)
    names = archive.namelist()
    assert sorted(names) == sorted(
        [
            f"sources/{guid('document', 'a' * 64)}.txt",
            f"sources/{guid('document', 'b' * 64)}.txt",
            "project.qde",
        ]
    )
    assert f'plainTextPath="internal://{guid("document", "a" * 64)}.txt"' in qde


def test_it_writes_sources_as_utf8_without_bom_with_lf():
    archive = zipfile.ZipFile(io.BytesIO(_qdpx()))
    body = archive.read(f"sources/{guid('document', 'a' * 64)}.txt")
    assert not body.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in body
    assert body.decode("utf-8") == _documents()[0].text


def test_it_gives_stable_upper_case_guids_and_identical_files_twice():
    assert guid("user", "alice") == guid("user", "alice")
    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", guid("code", "x")
    )
    assert guid("code", "x") != guid("user", "x")
    assert _qdpx() == _qdpx()
    infos = zipfile.ZipFile(io.BytesIO(_qdpx())).infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_it_groups_codes_of_one_coder_span_and_memo_into_one_selection():
    element = refi.text_source(_documents()[0])
    selections = element.findall("PlainTextSelection")
    assert [
        (s.get("startPosition"), s.get("endPosition"), len(s.findall("Coding"))) for s in selections
    ] == [
        ("0", "5", 2),
        ("3", "20", 1),
    ]
    assert selections[0].find("Description").text == "memo 🇮🇱"


def test_it_reads_back_what_it_wrote():
    content = refi_read.read_qdpx(_qdpx(), "p.qdpx")
    assert [c.path for c in content.codes] == ["actors", "actors/Iran", "cooperation"]
    iran = content.codes[1]
    assert (iran.definition, iran.inclusion_criteria, iran.example) == (
        "Any reference to Iran.",
        "Officials too.",
        "Tehran said",
    )
    assert content.codes[0].is_active is False
    (_, first), (_, second) = content.documents
    assert first.text == _documents()[0].text
    assert first.title == "Flags" and first.published == dt.date(2019, 2, 21)
    assert first.metadata == {"section": "World", "title": "clash"}
    assert sorted((c.coder, c.code_path, c.start, c.end, c.memo) for c in first.codings) == [
        ("alice", "actors/Iran", 0, 5, "memo 🇮🇱"),
        ("alice", "cooperation", 0, 5, "memo 🇮🇱"),
        ("bob", "cooperation", 3, 20, ""),
    ]
    assert first.codings[0].created_at == T0
    assert second.codings == []


def test_it_maps_offsets_of_a_crlf_source_with_a_bom_onto_the_normalised_text():
    raw = "ab\r\ncd\r\nef"
    source_guid = guid("document", "crlf")
    qde = refi.XML_DECLARATION + (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        f'<Users><User guid="{guid("user", "u")}" name="u"/></Users>'
        f'<CodeBook><Codes><Code guid="{guid("code", "c")}" name="c" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{source_guid}" plainTextPath="internal://{source_guid}.txt">'
        f'<PlainTextSelection guid="{guid("s", 1)}" startPosition="4" endPosition="10" creatingUser="{guid("user", "u")}">'
        f'<Coding guid="{guid("k", 1)}"><CodeRef targetGUID="{guid("code", "c")}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{source_guid}.txt", "\ufeff" + raw)
    content = refi_read.read_qdpx(out.getvalue(), "crlf.qdpx")
    (_, document) = content.documents[0]
    coding = document.codings[0]
    assert document.text == "ab\ncd\nef"
    assert document.text[coding.start : coding.end] == "cd\nef"
    assert coding.coder == "u"


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<CodeBook", "line 1"),
        (
            b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
            b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55808" name="a" isCodable="true"/>'
            b'</Codes><Sets><Set guid="x" name="s"/></Sets></CodeBook>',
            "Set",
        ),
        (
            b'<?xml version="1.0"?><CodeBook><Codes>'
            b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55808" name="a" isCodable="true"/>'
            b"</Codes></CodeBook>",
            "CodeBook",
        ),
        (
            b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
            b'<Code guid="not-a-guid" name="a" isCodable="true"/></Codes></CodeBook>',
            "Code",
        ),
    ],
    ids=["not-xml", "bad-set", "no-namespace", "bad-guid"],
)
def test_it_refuses_an_invalid_qdc_naming_the_element(xml, message):
    with pytest.raises(BadFile) as caught:
        refi_read.read_qdc(xml, "book.qdc")
    assert str(caught.value).startswith("book.qdc, ")
    assert message in str(caught.value)


def test_it_refuses_a_qdpx_that_is_not_a_zip_or_lacks_project_qde():
    with pytest.raises(BadFile, match="not a ZIP"):
        refi_read.read_qdpx(b"plain", "p.qdpx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("other.xml", "<x/>")
    with pytest.raises(BadFile, match="project.qde: missing"):
        refi_read.read_qdpx(out.getvalue(), "p.qdpx")


def test_it_refuses_a_selection_beyond_the_text():
    documents = _documents()
    documents[0].codings = [CodingRow("alice", "cooperation", 0, 500, "", T0, T0)]
    out = io.BytesIO()
    refi.write_qdpx(PROJECT, documents, out)
    with pytest.raises(
        BadFile, match=r"PlainTextSelection\[1\]: field end_offset: 500 passes the end"
    ):
        refi_read.read_qdpx(out.getvalue(), "p.qdpx")


TAGUETTE_QDC = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
    b'origin="Taguette 1.4.1"><Codes>'
    b'<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="interesting" isCodable="true">'
    b'<Code guid="{6215cc69-b628-4e02-afb9-9beeaee55808}" name="very" isCodable="true"/>'
    b"</Code></Codes><Sets/></CodeBook>"
)


def test_it_reads_a_taguette_codebook_with_an_empty_sets_and_lower_case_guids_warning():
    codes, warnings = refi_read.read_codebook(TAGUETTE_QDC, "taguette.qdc")
    assert [c.path for c in codes] == ["interesting", "interesting/very"]
    assert len(warnings) == 2
    assert "an empty <Sets/> in <CodeBook> was ignored" in warnings[0]
    assert "2 GUIDs in lower case (5215cc69-b628-4e02-afb9-9beeaee55808, {6215cc69" in warnings[1]


def test_it_says_which_container_it_got_when_zip_and_xml_are_swapped():
    with pytest.raises(BadFile, match=r"this is a ZIP archive \(a .qdpx project\?\)"):
        refi_read.read_qdc(_qdpx(), "book.qdc")
    with pytest.raises(BadFile, match=r"this is XML \(a .qdc codebook\?\), not a ZIP"):
        refi_read.read_qdpx(TAGUETTE_QDC, "p.qdpx")


def test_a_qdpx_brings_its_codebook():
    codes, warnings = refi_read.read_codebook(_qdpx(), "p.qdpx")
    assert codes and not warnings
    assert codes == refi_read.read_qdpx(_qdpx(), "p.qdpx").codes

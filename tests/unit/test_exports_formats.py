"""CSV, JSON Lines, brat and archive writers and readers over plain rows."""

import csv
import datetime as dt
import io
import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.exports import archive, brat, jsonl, tabular
from annotator.exports.common import BadFile, decode_text, iso, normalise, offset_mapper
from annotator.exports.rows import CodeRow, CodingRow, DocumentRow, ProjectRow

T0 = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
TEXT = "🇮🇱🤝🇷🇺\nIsrael and Russia, «friends»?\n=SUM(1)"
PROJECT = ProjectRow(
    name="P",
    codes=(CodeRow("a", "a", ""), CodeRow("a/b c", "b c", "a")),
    coders=("alice",),
    metadata_keys=("n", "section"),
)


def _document(**extra):
    return DocumentRow(
        id=4,
        text=TEXT,
        external_id="ext-4",
        title='Flags, "quoted"',
        metadata={"section": "World", "n": 3},
        text_sha256="f" * 64,
        codings=[
            CodingRow("alice", "a", 0, 5, "memo\nwith newline", T0, T0),
            CodingRow("alice", "a/b c", 3, 12, "", T0, T0),
        ],
        **extra,
    )


def test_it_writes_a_codings_csv_that_csv_readers_parse_back_exactly():
    data = "".join(tabular.codings_csv(PROJECT, [_document()]))
    assert data.startswith("\ufeffproject,document_id,")
    rows = list(csv.DictReader(io.StringIO(data.removeprefix("\ufeff"), newline="")))
    assert [r["text"] for r in rows] == ["🇮🇱🤝🇷🇺", "🇷🇺\nIsrael"]
    assert rows[1]["code"] == "b c" and rows[1]["code_path"] == "a/b c"
    assert rows[0]["memo"] == "memo\nwith newline"
    assert rows[0]["created_at"] == "2026-01-02T03:04:05.678901Z"
    assert rows[0]["title"] == 'Flags, "quoted"'


_FIELD = st.text(alphabet=st.sampled_from(list("ab ,\"\r\n\t;'«🤝é=")), max_size=12)


@given(
    text=_FIELD.filter(bool),
    memo=_FIELD,
    title=_FIELD,
    coder=_FIELD.filter(bool),
    code=_FIELD.filter(bool),
    created=st.sampled_from([T0, "2026-01-02T03:04:05Z", None]),
)
def test_it_writes_codings_csv_rows_exactly_as_csv_writer_would(
    text, memo, title, coder, code, created
):
    # The writer quotes fields itself for speed: it must agree with csv.writer byte for byte.
    document = DocumentRow(
        id=7,
        text=text,
        title=title,
        published=dt.date(2020, 1, 2),
        codings=[CodingRow(coder, f"p, q/{code}", 0, len(text), memo, created, created)],
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(tabular.CODING_COLUMNS)
    stamp = iso(created) if not isinstance(created, str) else created
    writer.writerow(
        ("P", 7, "", title, "", "2020-01-02", coder, code, f"p, q/{code}")
        + (0, len(text), text, memo, stamp, stamp)
    )
    assert "".join(tabular.codings_csv(PROJECT, [document])) == "\ufeff" + buffer.getvalue()


def test_it_writes_one_documents_csv_column_per_metadata_key():
    data = "".join(tabular.documents_csv(PROJECT, [_document()])).removeprefix("\ufeff")
    (row,) = csv.DictReader(io.StringIO(data, newline=""))
    assert (row["metadata.section"], row["metadata.n"], row["codings"]) == ("World", "3", "2")
    assert row["length"] == str(len(TEXT))


def test_it_reads_documents_from_a_csv_with_chosen_columns():
    data = b'Body,Headline,Date,Desk\n"one\ntext",H1,2020-01-02,World\ntwo,H2,,\n'
    rows = tabular.read_documents_csv(
        data,
        "in.csv",
        text_column="Body",
        columns={"title": "Headline", "published": "Date", "desk": "Desk"},
    )
    assert [(w, r.text, r.title, r.published, r.metadata) for w, r in rows] == [
        ("line 3", "one\ntext", "H1", dt.date(2020, 1, 2), {"desk": "World"}),
        ("line 4", "two", "H2", None, {"desk": ""}),
    ]


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (b"text\n\xff\xfe\n", {}, "in.csv, line 2: not UTF-8"),
        (b"body\nx\n", {}, "in.csv, line 1: field text: column 'text' not found"),
        (b"text,title\nx\n", {}, "in.csv, line 2: has 1 columns"),
        (
            b"text,d\nx,31/12/2020\n",
            {"columns": {"published": "d"}},
            "in.csv, line 2: field published",
        ),
        (b'text\n" "\n', {}, "in.csv, line 2: field text: the text is empty"),
    ],
    ids=["encoding", "no-column", "ragged", "bad-date", "empty-text"],
)
def test_it_refuses_a_bad_csv_naming_file_line_and_field(data, kwargs, message):
    with pytest.raises(BadFile) as caught:
        tabular.read_documents_csv(
            data, "in.csv", text_column="text", columns=kwargs.get("columns", {})
        )
    assert str(caught.value).startswith(message)


def test_it_writes_doccano_compatible_jsonl_and_reads_it_back():
    line = jsonl.document_line(_document())
    record = json.loads(line)
    assert list(record)[:3] == ["id", "text", "label"]
    assert record["label"] == [[0, 5, "a"], [3, 12, "a/b c"]]
    assert record["id"] == "ext-4"
    ((where, row),) = jsonl.read_jsonl(line.encode(), "d.jsonl")
    assert where == "line 1"
    assert row.text == TEXT and row.external_id == "ext-4"
    assert row.codings == _document().codings


def test_it_reads_doccano_labels_as_codings_without_a_coder():
    data = json.dumps({"text": "Hello world", "label": [[0, 5, "a"]]}).encode()
    ((_, row),) = jsonl.read_jsonl(data, "d.jsonl")
    assert [(c.coder, c.code_path, c.start, c.end) for c in row.codings] == [("", "a", 0, 5)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "d.jsonl, line 2: not valid JSON"),
        ('{"label": []}', "d.jsonl, line 2: field text"),
        (
            '{"text": "abc", "label": [[0, 9, "a"]]}',
            "d.jsonl, line 2, label[0]: field end_offset: 9 passes the end",
        ),
        ('{"text": "abc", "label": [[2, 1, "a"]]}', "d.jsonl, line 2, label[0]: field end_offset"),
        (
            '{"text": "abc", "annotations": [{"code": "a", "start_offset": 0, "end_offset": 1}]}',
            "annotations[0]: field coder",
        ),
        (
            '{"text": "abc", "annotations": [{"coder": "u", "code": "a", "start_offset": "0", "end_offset": 1}]}',
            "field start_offset",
        ),
        ("[1, 2]", "expected a JSON object"),
    ],
    ids=["json", "no-text", "beyond", "reversed", "no-coder", "string-offset", "not-object"],
)
def test_it_refuses_bad_jsonl_naming_the_line_and_field(line, message):
    data = ('{"text": "fine"}\n' + line + "\n").encode()
    with pytest.raises(BadFile, match=message.replace("[", r"\[").replace("]", r"\]")):
        jsonl.read_jsonl(data, "d.jsonl")


def test_it_splits_brat_spans_at_newlines_and_keeps_code_points():
    types = brat.type_names(c.path for c in PROJECT.codes)
    ann = brat.ann_file(_document(), "alice", types)
    lines = ann.splitlines()
    assert lines[0] == "T1\ta 0 5\t🇮🇱🤝🇷🇺"
    assert lines[1] == "#1\tAnnotatorNotes T1\tmemo with newline"
    assert lines[2] == "T2\ta-b_c_9f597a63 3 5;6 12\t🇷🇺 Israel"
    conf = brat.annotation_conf(PROJECT, types)
    assert conf.startswith("[entities]\na\n\ta-b_c_9f597a63\n")


def test_it_round_trips_the_archive_through_its_reader():
    text = "".join(archive.write_archive(PROJECT, [_document(created_at=T0)]))
    head, documents = archive.read_archive(text.encode(), "a.json")
    assert head.name == "P" and [c.path for c in head.codes] == ["a", "a/b c"]
    ((where, row),) = documents
    assert where == "documents[0]"
    assert row.codings == _document().codings and row.created_at == T0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "a.json, line 1: not valid JSON"),
        (b'{"format": "other"}', "not an Annotator archive"),
        (b'{"format": "annotator-archive", "version": 9}', "field version"),
    ],
)
def test_it_refuses_a_bad_archive(data, message):
    with pytest.raises(BadFile, match=message):
        archive.read_archive(data, "a.json")


def test_it_names_the_line_of_a_byte_that_is_not_utf8():
    with pytest.raises(BadFile, match=r"f.txt, line 3: not UTF-8 text \(byte 4\)"):
        decode_text(b"a\nb\n\xe9t\xe9", "f.txt")
    assert decode_text("\ufeffabc".encode(), "f.txt") == "abc"


@given(
    st.lists(st.sampled_from(["a", "é", "e\u0301", "\r\n", "\n", "🇮🇱", "\r", " "]), max_size=30),
    st.data(),
)
def test_it_maps_raw_offsets_to_spans_with_the_same_normalised_text(pieces, data):
    raw = "".join(pieces)
    bounds = [0]
    for piece in pieces:
        bounds.append(bounds[-1] + len(piece))
    # An offset between the CR and the LF of a CRLF names no place in the normalised text.
    bounds = [b for b in bounds if raw[b - 1 : b + 1] != "\r\n"]
    start = data.draw(st.sampled_from(bounds))
    end = data.draw(st.sampled_from(bounds))
    start, end = min(start, end), max(start, end)
    mapper = offset_mapper(raw)
    text = normalise(raw)
    assert text[mapper(start) : mapper(end)] == normalise(raw[start:end])
    assert unicodedata.is_normalized("NFC", text)

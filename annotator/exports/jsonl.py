"""JSON Lines: one document per line, with its text, metadata and codings.

Shape of a line (keys in this order; documented in the README)::

    {"id": "<external id, or the text's SHA-256 when it has none>",
     "text": "<the document text, NFC, LF newlines>",
     "label": [[start, end, "<code path>"], ...],          # doccano span format, deduplicated
     "title": "", "source": "", "author": "", "url": "", "published": "YYYY-MM-DD" | null,
     "metadata": {...},
     "annotations": [{"coder": "<username>", "code": "<code path>", "start_offset": 0,
                      "end_offset": 5, "memo": "", "created_at": "...Z", "updated_at": "...Z"}]}

doccano's span import reads ``text`` and ``label`` and keeps every other key as metadata.
On import, ``annotations`` is used when present; otherwise ``label`` spans are attributed to
the importing user. ``id`` becomes the document's external id.
"""

import json
from collections.abc import Iterable, Iterator

from .common import (
    BadFile,
    decode_text,
    iso,
    load_json,
    map_span,
    normalise,
    offset_mapper,
    parse_date,
    parse_iso,
)
from .rows import CodingRow, DocumentRow

_CHUNK = 1 << 16


def document_id(document: DocumentRow) -> str:
    return document.external_id or document.text_sha256


def document_line(document: DocumentRow) -> str:
    codings = document.codings
    labels = sorted({(c.start, c.end, c.code_path) for c in codings})
    record = {
        "id": document_id(document),
        "text": document.text,
        "label": [list(label) for label in labels],
        "title": document.title,
        "source": document.source,
        "author": document.author,
        "url": document.url,
        "published": document.published.isoformat() if document.published else None,
        "metadata": document.metadata,
        "annotations": [
            {
                "coder": c.coder,
                "code": c.code_path,
                "start_offset": c.start,
                "end_offset": c.end,
                "memo": c.memo,
                "created_at": iso(c.created_at),
                "updated_at": iso(c.updated_at),
            }
            for c in codings
        ],
    }
    return json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"


def write_jsonl(documents: Iterable[DocumentRow]) -> Iterator[str]:
    parts, size = [], 0
    for document in documents:
        line = document_line(document)
        parts.append(line)
        size += len(line)
        if size > _CHUNK:
            yield "".join(parts)
            parts, size = [], 0
    yield "".join(parts)


def read_jsonl(data: bytes, filename: str) -> list[tuple[str, DocumentRow]]:
    """Documents (with their codings) from JSON Lines; texts normalised, offsets mapped to them.

    A coding whose ``coder`` is "" came from a doccano ``label`` and belongs to the importer.
    """
    text = decode_text(data, filename)
    documents = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        record = load_json(line, filename, where)
        if not isinstance(record, dict):
            raise BadFile(filename, where, "expected a JSON object.")
        documents.append((where, _document(record, filename, where)))
    return documents


def _text_field(record, name, filename, where) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadFile(filename, where, f"field {name}: expected a string.")
    return value


def _document(record: dict, filename: str, where: str) -> DocumentRow:
    raw = record.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise BadFile(filename, where, "field text: missing or empty.")
    mapper = offset_mapper(raw)
    metadata = record.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise BadFile(filename, where, "field metadata: expected an object.")
    ident = record.get("id")
    if ident is not None and not isinstance(ident, str | int):
        raise BadFile(filename, where, "field id: expected a string or a number.")
    codings = []
    if "annotations" in record:
        items = record["annotations"]
        if not isinstance(items, list):
            raise BadFile(filename, where, "field annotations: expected a list.")
        for i, item in enumerate(items):
            here = f"{where}, annotations[{i}]"
            if not isinstance(item, dict):
                raise BadFile(filename, here, "expected an object.")
            coder = item.get("coder")
            code = item.get("code")
            if not isinstance(coder, str) or not coder:
                raise BadFile(filename, here, "field coder: missing.")
            if not isinstance(code, str) or not code:
                raise BadFile(filename, here, "field code: missing.")
            start, end = map_span(
                raw, mapper, item.get("start_offset"), item.get("end_offset"), filename, here
            )
            memo = item.get("memo") or ""
            if not isinstance(memo, str):
                raise BadFile(filename, here, "field memo: expected a string.")
            codings.append(
                CodingRow(
                    coder=coder,
                    code_path=code,
                    start=start,
                    end=end,
                    memo=memo,
                    created_at=parse_iso(item.get("created_at"), filename, here, "created_at"),
                    updated_at=parse_iso(item.get("updated_at"), filename, here, "updated_at"),
                )
            )
    else:
        labels = record.get("label") or []
        if not isinstance(labels, list):
            raise BadFile(filename, where, "field label: expected a list.")
        for i, label in enumerate(labels):
            here = f"{where}, label[{i}]"
            if not (isinstance(label, list) and len(label) == 3 and isinstance(label[2], str)):
                raise BadFile(filename, here, 'expected [start, end, "code"].')
            start, end = map_span(raw, mapper, label[0], label[1], filename, here)
            codings.append(CodingRow(coder="", code_path=label[2], start=start, end=end))
    return DocumentRow(
        id=None,
        text=normalise(raw),
        external_id=str(ident) if ident is not None else "",
        title=_text_field(record, "title", filename, where),
        source=_text_field(record, "source", filename, where),
        author=_text_field(record, "author", filename, where),
        url=_text_field(record, "url", filename, where),
        published=parse_date(record.get("published"), filename, where, "published"),
        metadata=metadata,
        codings=codings,
    )

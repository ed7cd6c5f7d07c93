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
``annotations`` offsets are always code points; ``label`` offsets are in the unit chosen with
``offsets`` (``units.UNITS``; code points by default).

On import, ``label`` wins: a tool such as doccano edits ``label`` and carries ``annotations``
along untouched, so when the two differ, the spans of ``label`` are the truth. A ``label`` span
that matches annotations keeps them (their coders, memos and times); a ``label`` span no
annotation has is a new coding by the importing user; an annotation whose span is no longer in
``label`` is dropped. Each line where that happened is named in a warning. A line without
``label`` keeps its ``annotations`` as they are. ``id`` becomes the document's external id.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

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
from .units import UnitMap

_CHUNK = 1 << 16


def document_id(document: DocumentRow) -> str:
    return document.external_id or document.text_sha256


def document_line(document: DocumentRow, offsets: str = "codepoint") -> str:
    codings = document.codings
    labels = sorted({(c.start, c.end, c.code_path) for c in codings})
    if offsets != "codepoint" and labels:
        units = UnitMap(document.text, offsets)
        labels = [(units.to_unit(s), units.to_unit(e, end=True), p) for s, e, p in labels]
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


def write_jsonl(documents: Iterable[DocumentRow], offsets: str = "codepoint") -> Iterator[str]:
    parts, size = [], 0
    for document in documents:
        line = document_line(document, offsets or "codepoint")
        parts.append(line)
        size += len(line)
        if size > _CHUNK:
            yield "".join(parts)
            parts, size = [], 0
    yield "".join(parts)


def read_jsonl(
    data: bytes, filename: str, *, offsets: str = "codepoint", warnings: list[str] | None = None
) -> list[tuple[str, DocumentRow]]:
    """Documents (with their codings) from JSON Lines; texts normalised, offsets mapped to them.

    A coding whose ``coder`` is "" came from a doccano ``label`` and belongs to the importer.
    ``offsets``: the unit of ``label``; ``warnings`` collects a line per line where ``label``
    overrode ``annotations``.
    """
    warnings = [] if warnings is None else warnings
    text = decode_text(data, filename)
    documents = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        record = load_json(line, filename, where)
        if not isinstance(record, dict):
            raise BadFile(filename, where, "expected a JSON object.")
        documents.append(
            (where, _document(record, filename, where, offsets or "codepoint", warnings))
        )
    return documents


def _text_field(record: dict[str, Any], name: str, filename: str, where: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadFile(filename, where, f"field {name}: expected a string.")
    return value


def unit_span(
    raw: str,
    units: UnitMap,
    mapper: Callable[[int], int],
    start: Any,
    end: Any,
    filename: str,
    where: str,
) -> tuple[int, int]:
    """A span given in ``units`` of ``raw``: checked, converted to code points, then mapped to
    the normalised text; the message names the unit when an offset is no boundary in it."""
    for name, value in (("start_offset", start), ("end_offset", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadFile(filename, where, f"field {name}: {value!r} is not a whole number.")
    if end > units.unit_length:
        raise BadFile(
            filename,
            where,
            f"field end_offset: {end} passes the end of the text "
            f"({units.unit_length} {units.unit} units).",
        )
    points = []
    for name, value in (("start_offset", start), ("end_offset", end)):
        point = units.from_unit(value) if value >= 0 else value
        if point is None:
            raise BadFile(
                filename,
                where,
                f"field {name}: {value} falls inside a character when counting {units.unit} "
                "units (wrong offset unit?).",
            )
        points.append(point)
    return map_span(raw, mapper, points[0], points[1], filename, where)


def _labels(
    record: dict[str, Any],
    raw: str,
    units: UnitMap,
    mapper: Callable[[int], int],
    filename: str,
    where: str,
) -> list[tuple[int, int, str]]:
    labels = record.get("label") or []
    if not isinstance(labels, list):
        raise BadFile(filename, where, "field label: expected a list.")
    spans = []
    for i, label in enumerate(labels):
        here = f"{where}, label[{i}]"
        if not (isinstance(label, list) and len(label) == 3 and isinstance(label[2], str)):
            raise BadFile(filename, here, 'expected [start, end, "code"].')
        start, end = unit_span(raw, units, mapper, label[0], label[1], filename, here)
        spans.append((start, end, label[2]))
    return spans


def _document(
    record: dict[str, Any],
    filename: str,
    where: str,
    offsets: str = "codepoint",
    warnings: list[str] | None = None,
) -> DocumentRow:
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
    codings: list[CodingRow] = []
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
    if "label" in record or "annotations" not in record:
        labels = _labels(record, raw, UnitMap(raw, offsets), mapper, filename, where)
        codings = _label_wins(labels, codings, "annotations" in record, where, warnings)
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


def _label_wins(
    labels: list[tuple[int, int, str]],
    codings: list[CodingRow],
    had_annotations: bool,
    where: str,
    warnings: list[str] | None,
) -> list[CodingRow]:
    """The codings ``label`` says there are: annotations whose span and code ``label`` still
    has, plus a coding by the importer ("" coder) for each span only ``label`` has."""
    if not had_annotations:
        return [CodingRow(coder="", code_path=c, start=s, end=e) for s, e, c in labels]
    wanted = set(labels)
    have = {(c.start, c.end, c.code_path) for c in codings}
    if wanted == have:
        return codings
    kept = [c for c in codings if (c.start, c.end, c.code_path) in wanted]
    added = sorted(wanted - have)
    kept += [CodingRow(coder="", code_path=c, start=s, end=e) for s, e, c in added]
    if warnings is not None:
        warnings.append(
            f"{where}: label differs from annotations; label wins ({len(added)} spans added, "
            f"{len(codings) - len(kept) + len(added)} codings dropped)."
        )
    return kept

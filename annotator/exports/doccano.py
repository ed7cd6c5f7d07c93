"""doccano sequence labelling, both ways, with an explicit offset unit.

Export: a ZIP with one ``<coder>.jsonl`` per coder, as doccano 1.x exports a project that does
not share annotations; each line is one document as doccano imports it::

    {"text": "...", "label": [[start, end, "<code path>"], ...],
     "document_id": "<external id or SHA-256>", "title": "...", ...metadata}

doccano keeps the keys it does not know as the example's metadata and writes them back on
export, so ``document_id`` and the metadata survive a trip through doccano.

Offsets: doccano's annotation view (``v-annotator``) counts JavaScript string indices, UTF-16
code units, unless the project has "grapheme mode" on (then grapheme clusters). The default
here is ``utf16`` (doccano's default project); ``offsets`` chooses ``codepoint``, ``utf16`` or
``grapheme`` (see ``units``).

Import: a ZIP of ``.jsonl`` files (one per user, as doccano exports: the file's name is the
coder; ``all.jsonl``, a shared project's export, has no coder) or one ``.jsonl``. A line's
``user`` field, when present, names the coder instead. Spans come from ``label``
(``[start, end, label]``) or, for a project with relations, ``entities``
(``{"start_offset", "end_offset", "label"}``). A span with no coder belongs to the importer.
"""

import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .common import (
    ZIP_MAX_MEMBERS,
    BadFile,
    SafeZip,
    decode_text,
    load_json,
    normalise,
    offset_mapper,
    parse_date,
    safe_name,
    zip_open,
)
from .jsonl import _text_field, document_id, unit_span
from .rows import CodingRow, DocumentRow, ProjectRow
from .units import UnitMap

SHARED_FILE = "all"  # doccano's file for a project whose annotations are shared


def _line(document: DocumentRow, coder: str, offsets: str) -> str:
    spans = sorted({(c.start, c.end, c.code_path) for c in document.codings if c.coder == coder})
    if offsets != "codepoint" and spans:
        units = UnitMap(document.text, offsets)
        spans = [(units.to_unit(s), units.to_unit(e, end=True), p) for s, e, p in spans]
    record = {
        "text": document.text,
        "label": [list(span) for span in spans],
        "document_id": document_id(document),
        "title": document.title,
        "source": document.source,
        "author": document.author,
        "url": document.url,
        "published": document.published.isoformat() if document.published else None,
    }
    for key, value in document.metadata.items():
        record.setdefault(key, value)
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_doccano(
    project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes], *, offsets: str = "utf16"
) -> None:
    coders = sorted(project.coders)
    names, used = {}, set()
    for coder in coders:
        name = safe_name(coder, "coder")
        while name.lower() in used or name == SHARED_FILE:
            name += "_"
        used.add(name.lower())
        names[coder] = name
    with zipfile.ZipFile(out, "w") as archive:
        # zipfile writes one entry at a time: collect each coder's lines in a spooled buffer.
        buffers = {c: tempfile.SpooledTemporaryFile(max_size=4 << 20, mode="w+b") for c in coders}  # noqa: SIM115 (closed in finally)
        try:
            for document in documents:
                for coder in coders:
                    buffers[coder].write(_line(document, coder, offsets).encode())
            for coder in coders:
                buffers[coder].seek(0)
                with zip_open(archive, f"{names[coder]}.jsonl") as entry:
                    while chunk := buffers[coder].read(1 << 20):
                        entry.write(chunk)
        finally:
            for buffer in buffers.values():
                buffer.close()


def read_doccano(
    data: bytes, filename: str, *, offsets: str = "utf16", max_bytes: int
) -> tuple[list[tuple[str, DocumentRow]], list[Any]]:
    """``(documents, codes)``: one row per line; lines with the same text from several users'
    files are merged into one document with every user's codings."""
    if data[:2] == b"PK":
        archive = SafeZip(data, filename, max_bytes=max_bytes, max_members=ZIP_MAX_MEMBERS)
        parts = []
        for name in sorted(archive.names()):
            if name.endswith("/") or not name.lower().endswith((".jsonl", ".json")):
                continue
            stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            parts.append((f"{filename}: {name}", archive.read(name), stem))
        if not parts:
            raise BadFile(filename, "", "the ZIP holds no .jsonl file.")
    else:
        parts = [(filename, data, "")]
    merged: dict[str, tuple[str, DocumentRow]] = {}
    for part_name, part, stem in parts:
        coder = "" if stem == SHARED_FILE else stem
        text = decode_text(part, part_name)
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            record = load_json(line, part_name, where)
            if not isinstance(record, dict):
                raise BadFile(part_name, where, "expected a JSON object.")
            row = _document(record, part_name, where, coder, offsets)
            key = row.text
            if key in merged:
                merged[key][1].codings.extend(row.codings)
            else:
                merged[key] = (f"{part_name}, {where}", row)
    return list(merged.values()), []


def _spans(record: dict[str, Any], part_name: str, where: str) -> Iterator[tuple[Any, ...]]:
    if "entities" in record and "label" not in record:
        items = record["entities"]
        if not isinstance(items, list):
            raise BadFile(part_name, where, "field entities: expected a list.")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise BadFile(part_name, f"{where}, entities[{i}]", "expected an object.")
            yield (
                f"{where}, entities[{i}]",
                item.get("start_offset"),
                item.get("end_offset"),
                item.get("label"),
            )
        return
    labels = record.get("label") or []
    if not isinstance(labels, list):
        raise BadFile(part_name, where, "field label: expected a list.")
    for i, label in enumerate(labels):
        here = f"{where}, label[{i}]"
        if not (isinstance(label, list) and len(label) == 3):
            raise BadFile(part_name, here, 'expected [start, end, "label"].')
        yield (here, *label)


def _document(
    record: dict[str, Any], part_name: str, where: str, coder: str, offsets: str
) -> DocumentRow:
    raw = record.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise BadFile(part_name, where, "field text: missing or empty.")
    user = record.get("user")
    if user is None or user == "":
        user = coder
    elif not isinstance(user, str):
        user = str(user)
    units = UnitMap(raw, offsets)
    mapper = offset_mapper(raw)
    codings = []
    for here, start, end, label in _spans(record, part_name, where):
        if not isinstance(label, str) or not label:
            raise BadFile(part_name, here, "field label: missing.")
        start, end = unit_span(raw, units, mapper, start, end, part_name, here)
        codings.append(CodingRow(coder=user, code_path=label, start=start, end=end))
    known = {"text", "label", "entities", "relations", "Comments", "user", "id", "document_id"}
    known |= {"title", "source", "author", "url", "published"}
    metadata = {k: v for k, v in record.items() if k not in known}
    ident = record.get("document_id")
    return DocumentRow(
        id=None,
        text=normalise(raw),
        external_id=str(ident) if isinstance(ident, str | int) else "",
        title=_text_field(record, "title", part_name, where),
        source=_text_field(record, "source", part_name, where),
        author=_text_field(record, "author", part_name, where),
        url=_text_field(record, "url", part_name, where),
        published=parse_date(record.get("published"), part_name, where, "published"),
        metadata=metadata,
        codings=codings,
    )

"""CSV: the codings (one row per coding) and the documents, and documents read from a CSV.

Written UTF-8 with a byte order mark (so Excel detects UTF-8; pandas drops it), RFC 4180
quoting and CRLF row ends; coded text keeps its own LF newlines inside quoted fields. Offsets
are code points into the document text, so ``text[start:end]`` in Python or pandas gives the
``text`` column back exactly.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from .common import BadFile, decode_text, iso, parse_date
from .rows import DocumentRow, ProjectRow

CODING_COLUMNS = (
    "project",
    "document_id",
    "external_id",
    "title",
    "source",
    "published",
    "coder",
    "code",
    "code_path",
    "start",
    "end",
    "text",
    "memo",
    "created_at",
    "updated_at",
)
DOCUMENT_COLUMNS = (
    "project",
    "document_id",
    "external_id",
    "title",
    "source",
    "author",
    "url",
    "published",
    "length",
    "text_sha256",
    "codings",
)
DOCUMENT_FIELDS = ("title", "source", "author", "url", "published", "external_id")
# Flush the buffer to the response about every 64 KiB: few, large chunks stream fastest.
_CHUNK = 1 << 16
# Codings CSV rows are ~150 bytes: about 64 KiB too.
_CHUNK_ROWS = 400


def _quoted(value: str) -> str:
    """``value`` as a CSV field, quoted as ``csv.writer`` (excel dialect, minimal quoting) does."""
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _fields(values: tuple[Any, ...]) -> str:
    """The values as ``csv.writer`` writes them, ending with a comma: a row's constant start."""
    line = io.StringIO()
    csv.writer(line).writerow(values)
    return line.getvalue()[:-2] + ","


def codings_csv(project: ProjectRow, documents: Iterable[DocumentRow]) -> Iterator[str]:
    """One row per coding, streamed in chunks of text.

    A million rows pass the inner loop, where ``csv.writer.writerow`` alone cost 5 µs a row.
    So each row is one f-string: the per-document and per-(coder, code) fields are quoted once
    by ``csv.writer`` and cached, only the coded text and the memo are quoted per row (the
    rules of ``csv.writer``: quote a field holding ``,`` ``"`` CR or LF, double its quotes;
    ``test_exports_formats`` checks the two agree). Offsets are ints and timestamps ISO text
    (the selectors format them in SQL; ``iso`` is the fallback for datetimes): neither ever
    needs quoting.
    """
    yield "\ufeff" + _fields(CODING_COLUMNS)[:-1] + "\r\n"
    name = project.name
    who: dict[tuple[str, str], str] = {}
    lines: list[str] = []
    for document in documents:
        text = document.text
        published = document.published.isoformat() if document.published else ""
        head = _fields(
            (name, document.id, document.external_id, document.title, document.source, published)
        )
        for coder, path, start, end, memo, created, updated in document.codings:
            coded = who.get((coder, path))
            if coded is None:
                coded = who[coder, path] = _fields((coder, path.rsplit("/", 1)[-1], path))
            if created.__class__ is not str:
                created, updated = iso(created), iso(updated)
            piece = text[start:end]
            if '"' in piece or "," in piece or "\n" in piece or "\r" in piece:
                piece = '"' + piece.replace('"', '""') + '"'
            if memo:
                memo = _quoted(memo)
            lines.append(f"{head}{coded}{start},{end},{piece},{memo},{created},{updated}\r\n")
        if len(lines) > _CHUNK_ROWS:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


def documents_csv(project: ProjectRow, documents: Iterable[DocumentRow]) -> Iterator[str]:
    """One row per document with its metadata; one column per metadata key (JSON for non-text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    keys = project.metadata_keys
    writer.writerow((*DOCUMENT_COLUMNS, *(f"metadata.{key}" for key in keys)))
    for d in documents:
        meta = [d.metadata.get(key, "") for key in keys]
        meta = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in meta]
        writer.writerow(
            (
                project.name,
                d.id,
                d.external_id,
                d.title,
                d.source,
                d.author,
                d.url,
                d.published.isoformat() if d.published else "",
                len(d.text),
                d.text_sha256,
                len(d.codings),
                *meta,
            )
        )
        if buffer.tell() > _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def parse_columns(spec: str) -> dict[str, str]:
    """``"title=Headline,section=Section"`` -> ``{"title": "Headline", "section": "Section"}``."""
    columns = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        target, sep, column = item.partition("=")
        if not sep or not target.strip() or not column.strip():
            raise ValueError(f"{item!r} is not of the form field=column.")
        columns[target.strip()] = column.strip()
    return columns


def read_documents_csv(
    data: bytes, filename: str, *, text_column: str, columns: dict[str, str]
) -> list[tuple[str, DocumentRow]]:
    """Documents from a CSV: ``text_column`` holds the text; ``columns`` maps a field to a column.

    Targets among title, source, author, url, published and external_id fill those fields;
    any other target becomes a metadata key. Returns ``(location, row)`` pairs.
    """
    text = decode_text(data, filename)
    # Article texts are longer than csv's default 128 KiB field limit.
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BadFile(filename, "line 1", "the file is empty.") from None
    except csv.Error as exc:
        raise BadFile(filename, "line 1", f"not a valid CSV row ({exc}).") from None
    wanted = {"text": text_column, **columns}
    index = {}
    for target, column in wanted.items():
        if column not in header:
            raise BadFile(
                filename,
                "line 1",
                f"field {target}: column {column!r} not found (columns: {', '.join(header)}).",
            )
        index[target] = header.index(column)
    rows = []
    try:
        for values in reader:
            where = f"line {reader.line_num}"
            if not any(values):
                continue
            if len(values) != len(header):
                raise BadFile(
                    filename,
                    where,
                    f"has {len(values)} columns where the header has {len(header)}.",
                )
            fields = {target: values[i] for target, i in index.items()}
            rows.append((where, _document_from_fields(fields, filename, where)))
    except csv.Error as exc:
        raise BadFile(
            filename, f"line {reader.line_num}", f"not a valid CSV row ({exc})."
        ) from None
    return rows


def _document_from_fields(fields: dict[str, Any], filename: str, where: str) -> DocumentRow:
    text = fields.pop("text")
    if not text.strip():
        raise BadFile(filename, where, "field text: the text is empty.")
    known = {name: fields.pop(name) for name in DOCUMENT_FIELDS if name in fields}
    published = parse_date(known.pop("published", ""), filename, where, "published")
    return DocumentRow(id=None, text=text, published=published, metadata=fields, **known)

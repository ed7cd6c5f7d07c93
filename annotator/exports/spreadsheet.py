"""xlsx: the codings and the documents as a workbook, for Excel and LibreOffice.

The CSV stays as it is for code (pandas, R); LibreOffice's headless import ignores the CSV's
BOM and reads it as Windows-1252, mangling emoji. An xlsx stores text as Unicode, so coded text
opens intact everywhere. Sheet ``codings``: the columns of the codings CSV (offsets are code
points, ``text`` is the coded text). Sheet ``documents``: the documents CSV's columns.
openpyxl's write-only mode streams rows to a temporary file, so memory stays flat; the saved
ZIP is re-packed with fixed times, so the same data gives the same bytes. Cell text is
cut at Excel's limit of 32,767 characters (a long coded passage), and characters XML cannot
hold (control characters) are dropped.
"""

import datetime as dt
import re
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO

from .common import iso, zip_writestr
from .rows import DocumentRow, ProjectRow
from .tabular import CODING_COLUMNS, DOCUMENT_COLUMNS

CELL_LIMIT = 32_767
FIXED_TIME = b"2000-01-01T00:00:00Z"
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(value: object) -> object:
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)[:CELL_LIMIT]
    if isinstance(value, dt.datetime):
        return iso(value)
    return value


def write_xlsx(project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    codings = book.create_sheet("codings")
    docs = book.create_sheet("documents")
    codings.append(CODING_COLUMNS)
    docs.append(DOCUMENT_COLUMNS)
    for d in documents:
        published = d.published.isoformat() if d.published else ""
        for c in d.codings:
            codings.append(
                [
                    _cell(v)
                    for v in (
                        project.name,
                        d.id,
                        d.external_id,
                        d.title,
                        d.source,
                        published,
                        c.coder,
                        c.code,
                        c.code_path,
                        c.start,
                        c.end,
                        d.text[c.start : c.end],
                        c.memo,
                        c.created_at if isinstance(c.created_at, str) else iso(c.created_at),
                        c.updated_at if isinstance(c.updated_at, str) else iso(c.updated_at),
                    )
                ]
            )
        docs.append(
            [
                _cell(v)
                for v in (
                    project.name,
                    d.id,
                    d.external_id,
                    d.title,
                    d.source,
                    d.author,
                    d.url,
                    published,
                    len(d.text),
                    d.text_sha256,
                    len(d.codings),
                )
            ]
        )
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as saved:
        book.save(saved)
        saved.seek(0)
        _repack(saved, out)


def _repack(saved: IO[bytes], out: IO[bytes]) -> None:
    """Copy the workbook's ZIP with fixed entry times and document dates, so exporting the same
    data twice gives the same bytes (openpyxl stamps the time of saving)."""
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + FIXED_TIME + rb"\g<2>", data)
            zip_writestr(target, info.filename, data)

"""The registry of file formats: ONE entry per format, read by the export and import pages, the
API and the commands.

An entry says how to write the format (``write``), how to read it (``read``), what an import
of it brings (documents, codings, a codebook), what the export needs from the database
(``Needs``) and which options it takes (the offset unit). Adding a format is adding an entry
here (and its writer/reader module); the pages, the API's enums and the commands' ``--format``
choices follow. Pure Python: no ORM, no requests.

Writers: ``write(head: ProjectRow, documents: Iterable[DocumentRow], options: Options)`` ->
iterator of ``bytes``. Readers: ``read(data: bytes, filename: str, options: Options)`` ->
``Content``; they raise ``common.BadFile``.
"""

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from . import (
    archive,
    brat,
    conll,
    doccano,
    hf,
    inception,
    jsonl,
    labelstudio,
    refi,
    refi_read,
    spacy_docbin,
    spreadsheet,
    tabular,
    webanno_tsv,
)
from .common import DEFAULT_MAX_BYTES, BadFile, decode_text
from .rows import CodeRow, DocumentRow, ProjectRow
from .units import UNITS

DOCUMENTS, CODINGS, CODEBOOK = "documents", "codings", "codebook"


@dataclass(frozen=True)
class Options:
    """What the user chose besides the format: the offset unit (formats with ``offsets``),
    the upload limit a ZIP may expand to, and a CSV's column mapping."""

    offsets: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES
    text_column: str = "text"
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Content:
    """What a reader found: documents with their codings, codes, and notes for the user."""

    documents: list[tuple[str, DocumentRow]] = field(default_factory=list)
    codes: list[CodeRow] = field(default_factory=list)
    skipped_sources: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Needs:
    """What an export reads besides documents and codings (each costs a query or a scan)."""

    coders: bool = False  # ProjectRow.coders: the usernames of the exported codings
    metadata_keys: bool = False  # ProjectRow.metadata_keys: every metadata key
    statuses: bool = False  # DocumentRow.statuses
    text_times: bool = False  # timestamps as ISO text from the database (print-only writers)


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    suffix: str  # file name suffix; with a dot it follows "-", else "."
    content_type: str
    write: Callable[[ProjectRow, Iterable[DocumentRow], Options], Iterator[bytes]] | None = None
    read: Callable[[bytes, str, Options], Content] | None = None
    imports: tuple[str, ...] = ()  # DOCUMENTS, CODINGS, CODEBOOK: what an import may take
    needs: Needs = Needs()
    offsets: str = ""  # default offset unit when the format lets the user choose one
    many_files: bool = False  # an import takes several files (one document each)
    tools: str = ""  # the programs it is for (README table)
    import_key: str = ""  # the name in an import kind ("documents-<import_key>"); default key

    def options(self, *, offsets: str = "", **kwargs: Any) -> Options:
        """Options for this format; ``offsets`` falls back to the format's default."""
        if offsets and not self.offsets:
            raise ValueError(f"{self.key} has no offset unit option.")
        if offsets and offsets not in UNITS:
            raise ValueError(f"unknown offset unit {offsets!r}; use one of {', '.join(UNITS)}.")
        return Options(offsets=offsets or self.offsets, **kwargs)


def encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


def spooled(write: Callable[[IO[bytes]], None]) -> Iterator[bytes]:
    """Run a writer into a temporary file (memory up to 16 MB, then disk) and stream it."""
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as out:
        write(out)
        out.seek(0)
        while chunk := out.read(1 << 16):
            yield chunk


def _documents_only(
    reader: Callable[[bytes, str, Options], list[tuple[str, DocumentRow]]],
) -> Callable[[bytes, str, Options], Content]:
    return lambda data, filename, options: Content(documents=reader(data, filename, options))


def _read_txt(data: bytes, filename: str, options: Options) -> Content:
    text = decode_text(data, filename)
    title = filename.rsplit("/", 1)[-1].removesuffix(".txt")
    return Content(documents=[(filename, DocumentRow(id=None, text=text, title=title))])


def _read_documents_csv(data: bytes, filename: str, options: Options) -> Content:
    return Content(
        documents=tabular.read_documents_csv(
            data, filename, text_column=options.text_column or "text", columns=options.columns
        )
    )


def _read_qdpx(data: bytes, filename: str, options: Options) -> Content:
    content = refi_read.read_qdpx(data, filename, max_bytes=options.max_bytes)
    return Content(
        documents=content.documents,
        codes=content.codes,
        skipped_sources=content.skipped_sources,
        warnings=content.warnings,
    )


def _read_qdc(data: bytes, filename: str, options: Options) -> Content:
    codes, warnings = refi_read.read_codebook(data, filename, max_bytes=options.max_bytes)
    return Content(codes=codes, warnings=warnings)


def _read_jsonl(data: bytes, filename: str, options: Options) -> Content:
    warnings: list[str] = []
    documents = jsonl.read_jsonl(data, filename, offsets=options.offsets, warnings=warnings)
    return Content(documents=documents, warnings=warnings)


_TEXT = "text/plain; charset=utf-8"
_ZIP = "application/zip"

_ENTRIES = [
    Format(
        "txt",
        "Plain-text files (.txt, one document each)",
        "txt",
        _TEXT,
        read=_read_txt,
        imports=(DOCUMENTS,),
        many_files=True,
        tools="any editor",
    ),
    Format(
        "csv",
        "Codings CSV (pandas, R, Stata; one row per coding)",
        "codings.csv",
        "text/csv; charset=utf-8",
        write=lambda head, docs, o: encoded(tabular.codings_csv(head, docs)),
        needs=Needs(text_times=True),
        tools="pandas, R, Stata, Excel (with the BOM)",
    ),
    Format(
        "xlsx",
        "Excel workbook .xlsx (codings and documents sheets; emoji intact in LibreOffice)",
        "codings.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        write=lambda head, docs, o: spooled(lambda out: spreadsheet.write_xlsx(head, docs, out)),
        needs=Needs(text_times=True),
        tools="Excel, LibreOffice Calc, Google Sheets",
    ),
    Format(
        "hf-jsonl",
        "Hugging Face datasets JSON Lines (one type per field; pyarrow loads it)",
        "hf.jsonl",
        "application/jsonl; charset=utf-8",
        write=lambda head, docs, o: encoded(hf.write_hf_jsonl(docs)),
        tools="Hugging Face datasets, pyarrow, pandas, Polars",
    ),
    Format(
        "conll",
        "CoNLL-2003-style BIO (ZIP, one file per coder, one tag column per code)",
        "conll.zip",
        _ZIP,
        write=lambda head, docs, o: spooled(lambda out: conll.write_conll(head, docs, out)),
        needs=Needs(coders=True),
        tools="NER toolkits (flair, spaCy convert, seqeval)",
    ),
    Format(
        "documents-csv",
        "Documents CSV (metadata)",
        "documents.csv",
        "text/csv; charset=utf-8",
        write=lambda head, docs, o: encoded(tabular.documents_csv(head, docs)),
        read=_read_documents_csv,
        imports=(DOCUMENTS,),
        import_key="csv",
        needs=Needs(metadata_keys=True),
        tools="spreadsheets, pandas",
    ),
    Format(
        "jsonl",
        "JSON Lines (Annotator: every coding with its coder, plus doccano's label)",
        "jsonl",
        "application/jsonl; charset=utf-8",
        write=lambda head, docs, o: encoded(jsonl.write_jsonl(docs, offsets=o.offsets)),
        read=_read_jsonl,
        imports=(DOCUMENTS, CODINGS),
        offsets="codepoint",
        tools="Annotator, NLP scripts",
    ),
    Format(
        "doccano",
        "doccano sequence labelling (ZIP, one JSONL per coder)",
        "doccano.zip",
        _ZIP,
        write=lambda head, docs, o: spooled(
            lambda out: doccano.write_doccano(head, docs, out, offsets=o.offsets)
        ),
        read=lambda data, filename, o: Content(
            *doccano.read_doccano(data, filename, offsets=o.offsets, max_bytes=o.max_bytes)
        ),
        imports=(DOCUMENTS, CODINGS),
        needs=Needs(coders=True),
        offsets="utf16",
        tools="doccano 1.x",
    ),
    Format(
        "label-studio",
        "Label Studio tasks JSON (one annotation per coder)",
        "label-studio.json",
        "application/json",
        write=lambda head, docs, o: encoded(labelstudio.write_tasks(head, docs)),
        read=lambda data, filename, o: Content(*labelstudio.read_tasks(data, filename)),
        imports=(DOCUMENTS, CODINGS),
        tools="Label Studio",
    ),
    Format(
        "label-studio-config",
        "Label Studio labeling config (XML, from the codebook)",
        "label-studio.xml",
        "application/xml",
        write=lambda head, docs, o: iter([labelstudio.labeling_config(head).encode()]),
        tools="Label Studio",
    ),
    Format(
        "inception-xmi",
        "UIMA CAS XMI for INCEpTION (ZIP: TypeSystem.xml and one .xmi per document)",
        "xmi.zip",
        _ZIP,
        write=lambda head, docs, o: spooled(lambda out: inception.write_xmi(head, docs, out)),
        read=lambda data, filename, o: Content(
            documents=inception.read_xmi(data, filename, max_bytes=o.max_bytes)
        ),
        imports=(DOCUMENTS, CODINGS),
        tools="INCEpTION, WebAnno, DKPro, any UIMA pipeline (dkpro-cassis)",
    ),
    Format(
        "webanno-tsv",
        "WebAnno TSV 3.3 (ZIP, one .tsv per document; INCEpTION, WebAnno)",
        "tsv.zip",
        _ZIP,
        write=lambda head, docs, o: spooled(lambda out: webanno_tsv.write_tsv(head, docs, out)),
        tools="INCEpTION, WebAnno",
    ),
    Format(
        "qdpx",
        "REFI-QDA project .qdpx (MAXQDA, ATLAS.ti, NVivo)",
        "qdpx",
        _ZIP,
        write=lambda head, docs, o: spooled(lambda out: refi.write_qdpx(head, docs, out)),
        read=_read_qdpx,
        imports=(CODINGS, CODEBOOK),
        needs=Needs(coders=True, metadata_keys=True),
        tools="MAXQDA, ATLAS.ti, NVivo, QDA Miner, Taguette",
    ),
    Format(
        "qdc",
        "REFI-QDA codebook .qdc",
        "qdc",
        "application/xml",
        write=lambda head, docs, o: iter([refi.write_qdc(head)]),
        read=_read_qdc,
        imports=(CODEBOOK,),
        tools="MAXQDA, ATLAS.ti, NVivo, Taguette",
    ),
    Format(
        "brat",
        "brat standoff (ZIP)",
        "brat.zip",
        _ZIP,
        write=lambda head, docs, o: spooled(lambda out: brat.write_brat(head, docs, out)),
        needs=Needs(coders=True, statuses=True),
        tools="brat, bratiaa",
    ),
    Format(
        "archive",
        "Project archive (restores the project)",
        "archive.json",
        "application/json",
        write=lambda head, docs, o: encoded(archive.write_archive(head, docs)),
        needs=Needs(statuses=True),
        tools="Annotator (import_archive)",
    ),
]

if spacy_docbin.available():  # the optional "spacy" extra
    _ENTRIES.append(
        Format(
            "spacy",
            'spaCy DocBin (spans of every coder in doc.spans["codes"])',
            "spacy",
            "application/octet-stream",
            write=lambda head, docs, o: spooled(
                lambda out: spacy_docbin.write_docbin(head, docs, out)
            ),
            tools="spaCy 3 (spacy train, span categorizer)",
        )
    )

REGISTRY: dict[str, Format] = {entry.key: entry for entry in _ENTRIES}


def exportable() -> dict[str, Format]:
    return {key: f for key, f in REGISTRY.items() if f.write is not None}


def importable(what: str) -> dict[str, Format]:
    return {key: f for key, f in REGISTRY.items() if what in f.imports}


# An import kind names what is imported and from which format: "annotations-doccano".
KIND_PREFIX = {DOCUMENTS: "documents", CODINGS: "annotations", CODEBOOK: "codebook"}
KIND_LABEL = {DOCUMENTS: "Documents", CODINGS: "Codings", CODEBOOK: "Codebook"}


def import_kinds() -> dict[str, tuple[str, Format]]:
    """``{kind: (what, format)}`` for every format that can be imported, documents first."""
    kinds = {}
    for what in (DOCUMENTS, CODEBOOK, CODINGS):
        for entry in REGISTRY.values():
            if what in entry.imports:
                kinds[f"{KIND_PREFIX[what]}-{entry.import_key or entry.key}"] = (what, entry)
    return kinds


def get(key: str) -> Format:
    try:
        return REGISTRY[key]
    except KeyError:
        raise ValueError(f"unknown format {key!r}.") from None


__all__ = ["BadFile", "Content", "Format", "Needs", "Options", "REGISTRY"]

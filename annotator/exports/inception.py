"""INCEpTION (and any UIMA tool): UIMA CAS XMI through ``dkpro-cassis``, both ways.

Export: a ZIP with ``TypeSystem.xml`` and one ``<document>.xmi`` per document (XMI 1.0, the
text as the sofa). Every coding of every coder is one ``webanno.custom.Code`` annotation, a
span type INCEpTION's custom span layers use, with the string features ``label`` (the code
path), ``coder`` (the username) and ``memo``. ``webanno.custom.`` is the prefix INCEpTION gives
a custom layer it creates, so a project with a span layer named ``Code`` (features ``label``,
``coder``, ``memo``; overlap allowed, character granularity) shows the codings as they are.

Offsets: UIMA counts UTF-16 code units (Java strings); ``dkpro-cassis`` converts them to and
from Python's code points when it reads and writes XMI, so ``begin``/``end`` in Python are our
offsets and the XMI on disk has UTF-16 ones, as INCEpTION expects.

Import: the same ZIP (its ``TypeSystem.xml`` when present, ours otherwise) or a single
``.xmi``; every annotation of type ``webanno.custom.Code`` becomes a coding (no ``coder``
feature: the importer's). Each XMI is first parsed with ``defusedxml`` (no DTD, no entities,
bounded depth) before ``cassis`` reads it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from .common import (
    ZIP_MAX_MEMBERS,
    BadFile,
    SafeZip,
    map_span,
    normalise,
    offset_mapper,
    parse_xml,
    safe_name,
    zip_writestr,
)
from .jsonl import document_id
from .rows import CodingRow, DocumentRow, ProjectRow

if TYPE_CHECKING:
    from cassis import TypeSystem

CODE_TYPE = "webanno.custom.Code"
FEATURES = ("label", "coder", "memo")
TYPESYSTEM_FILE = "TypeSystem.xml"


def type_system() -> TypeSystem:
    from cassis import TypeSystem

    system = TypeSystem()
    code = system.create_type(CODE_TYPE, supertypeName="uima.tcas.Annotation")
    for name in FEATURES:
        system.create_feature(code, name, "uima.cas.String")
    return system


def document_xmi(document: DocumentRow, system: TypeSystem) -> str:
    from cassis import Cas

    cas = Cas(typesystem=system)
    cas.sofa_string = document.text
    Code = system.get_type(CODE_TYPE)
    for c in document.codings:
        cas.add(Code(begin=c.start, end=c.end, label=c.code_path, coder=c.coder, memo=c.memo))
    xmi: str = cas.to_xmi()
    return xmi


def write_xmi(project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes]) -> None:
    system = type_system()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w") as archive:
        zip_writestr(archive, TYPESYSTEM_FILE, system.to_xml().encode())
        for document in documents:
            stem = safe_name(document.title or document_id(document), "document")[:60]
            name, n = stem, 1
            while name.lower() in used:
                n += 1
                name = f"{stem}-{n}"
            used.add(name.lower())
            zip_writestr(archive, f"{name}.xmi", document_xmi(document, system).encode())


def read_xmi(data: bytes, filename: str, *, max_bytes: int) -> list[tuple[str, DocumentRow]]:
    from cassis import load_typesystem

    if data[:2] == b"PK":
        archive = SafeZip(data, filename, max_bytes=max_bytes, max_members=ZIP_MAX_MEMBERS)
        names = archive.names()
        system = type_system()
        if TYPESYSTEM_FILE in names:
            raw = archive.read(TYPESYSTEM_FILE)
            parse_xml(raw, f"{filename}: {TYPESYSTEM_FILE}")
            try:
                system = load_typesystem(io.BytesIO(raw))
            except Exception as exc:  # cassis raises bare exceptions on bad type systems
                raise BadFile(
                    filename, TYPESYSTEM_FILE, f"not a UIMA type system ({exc})."
                ) from None
        parts = [(f"{filename}: {n}", archive.read(n)) for n in sorted(names) if n.endswith(".xmi")]
        if not parts:
            raise BadFile(filename, "", "the ZIP holds no .xmi file.")
    else:
        system, parts = type_system(), [(filename, data)]
    return [(name, _document(part, name, system)) for name, part in parts]


def _document(data: bytes, name: str, system: TypeSystem) -> DocumentRow:
    from cassis import load_cas_from_xmi

    parse_xml(data, name)  # defusedxml first: no DTD, no entity expansion, bounded depth
    try:
        cas = load_cas_from_xmi(io.BytesIO(data), typesystem=system, lenient=True)
    except Exception as exc:  # cassis and lxml raise many kinds; all mean "cannot be read"
        raise BadFile(name, "", f"not a UIMA CAS XMI file ({exc}).") from None
    raw = cas.sofa_string or ""
    if not raw.strip():
        raise BadFile(name, "sofa", "the document text is empty.")
    mapper = offset_mapper(raw)
    codings = []
    try:
        annotations = cas.select(CODE_TYPE)
    except Exception:  # the type system has no such type: no codings
        annotations = []
    for index, annotation in enumerate(annotations, start=1):
        where = f"{CODE_TYPE}[{index}]"
        label = annotation.get("label")
        if not isinstance(label, str) or not label:
            raise BadFile(name, where, "feature label: missing.")
        start, end = map_span(raw, mapper, annotation.begin, annotation.end, name, where)
        codings.append(
            CodingRow(
                coder=annotation.get("coder") or "",
                code_path=label,
                start=start,
                end=end,
                memo=annotation.get("memo") or "",
            )
        )
    return DocumentRow(id=None, text=normalise(raw), codings=codings)

"""REFI-QDA exchange: the codebook (``.qdc``) and the project (``.qdpx``) writers.

Follows ``docs/refi-qda.md``: every element in the default namespace, children in
schema order, no empty containers, ``sources/<GUID>.txt`` UTF-8 without BOM with LF newlines,
selections in code points, end exclusive. GUIDs come from ``common.guid`` over natural keys, and
ZIP entries carry a fixed timestamp, so exporting twice gives byte-identical files.
"""

import functools
import json
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

import xmlschema

from .common import guid, iso, zip_open, zip_writestr
from .rows import CodeRow, DocumentRow, ProjectRow

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Annotator 0.1"
SCHEMAS = Path(__file__).parent / "schemas"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Document fields written as REFI variables; other variables are metadata keys.
FIELD_VARIABLES = ("author", "external_id", "published", "source", "title", "url")
METADATA_PREFIX = "metadata:"
# How a code's criteria are laid out in its REFI Description, so that a round trip restores them.
CRITERIA = (
    ("inclusion_criteria", "Inclusion criteria:"),
    ("exclusion_criteria", "Exclusion criteria:"),
    ("example", "Example:"),
)


@functools.cache
def schema(kind: str) -> xmlschema.XMLSchema:
    """``"Project"`` or ``"Codebook"``, loaded once."""
    return xmlschema.XMLSchema(str(SCHEMAS / f"{kind}.xsd"))


def code_description(code: CodeRow) -> str:
    parts = [code.definition] if code.definition else []
    parts += [f"{label}\n{getattr(code, name)}" for name, label in CRITERIA if getattr(code, name)]
    return "\n\n".join(parts)


def _code_elements(parent: ET.Element, codes: Iterable[CodeRow]) -> None:
    children = defaultdict(list)
    for code in codes:
        children[code.parent_path].append(code)

    def add(into: ET.Element, parent_path: str) -> None:
        for code in sorted(children[parent_path], key=lambda c: (c.order, c.name)):
            element = ET.SubElement(
                into,
                "Code",
                guid=guid("code", code.path),
                name=code.name,
                isCodable="true" if code.is_active else "false",
                color=code.color.upper(),
            )
            description = code_description(code)
            if description:
                ET.SubElement(element, "Description").text = description
            add(element, code.path)

    add(parent, "")


def _serialise(root: ET.Element) -> bytes:
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def write_qdc(project: ProjectRow) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document."""
    root = ET.Element("CodeBook", xmlns=CODEBOOK_NS, origin=ORIGIN)
    _code_elements(ET.SubElement(root, "Codes"), project.codes)
    return _serialise(root)


def variable_names(project: ProjectRow) -> list[str]:
    names = set(FIELD_VARIABLES)
    names |= {
        METADATA_PREFIX + key if key in FIELD_VARIABLES else key for key in project.metadata_keys
    }
    return sorted(names)


def _variable_values(document: DocumentRow) -> list[tuple[str, str, str]]:
    """(variable name, value element, value) for the document's non-blank fields and metadata."""
    values = []
    for name in FIELD_VARIABLES:
        value = getattr(document, name)
        if name == "published":
            if value:
                values.append((name, "DateValue", value.isoformat()))
        elif value:
            values.append((name, "TextValue", value))
    for key, value in document.metadata.items():
        name = METADATA_PREFIX + key if key in FIELD_VARIABLES else key
        if isinstance(value, str):
            values.append((name, "TextValue", value))
        elif value is not None:
            values.append((name, "TextValue", json.dumps(value, ensure_ascii=False)))
    return sorted(values)


def source_name(document: DocumentRow) -> str:
    return document.title or document.external_id or " ".join(document.text[:60].split())


def text_source(document: DocumentRow) -> ET.Element:
    """One ``TextSource``: a selection per (coder, span, memo), holding a coding per code."""
    sha = document.text_sha256
    source_guid = guid("document", sha)
    element = ET.Element(
        "TextSource",
        guid=source_guid,
        name=source_name(document),
        plainTextPath=f"internal://{source_guid}.txt",
    )
    groups = defaultdict(list)
    for c in document.codings:
        groups[(c.start, c.end, c.coder, c.memo)].append(c)
    for (start, end, coder, memo), codings in sorted(groups.items()):
        user = guid("user", coder)
        preview = document.text[start:end]
        selection = ET.SubElement(
            element,
            "PlainTextSelection",
            guid=guid("selection", sha, start, end, coder, memo),
            name=preview if len(preview) <= 100 else preview[:99] + "…",
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=user,
        )
        created = [c.created_at for c in codings if c.created_at]
        updated = [c.updated_at for c in codings if c.updated_at]
        if created:
            selection.set("creationDateTime", iso(min(created)))
        selection.set("modifyingUser", user)
        if updated:
            selection.set("modifiedDateTime", iso(max(updated)))
        if memo:
            ET.SubElement(selection, "Description").text = memo
        for c in sorted(codings, key=lambda c: c.code_path):
            coding = ET.SubElement(
                selection,
                "Coding",
                guid=guid("coding", sha, start, end, coder, c.code_path),
                creatingUser=user,
            )
            if c.created_at:
                coding.set("creationDateTime", iso(c.created_at))
            ET.SubElement(coding, "CodeRef", targetGUID=guid("code", c.code_path))
    for name, kind, value in _variable_values(document):
        holder = ET.SubElement(element, "VariableValue")
        ET.SubElement(holder, "VariableRef", targetGUID=guid("variable", name))
        ET.SubElement(holder, kind).text = value
    return element


def _head(project: ProjectRow) -> str:
    root = ET.Element("Project", xmlns=PROJECT_NS, name=project.name, origin=ORIGIN)
    if project.created_at:
        root.set("creationDateTime", iso(project.created_at))
    if project.coders:
        users = ET.SubElement(root, "Users")
        for username in sorted(project.coders):
            ET.SubElement(users, "User", guid=guid("user", username), name=username)
    if project.codes:
        _code_elements(ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes"), project.codes)
    variables = ET.SubElement(root, "Variables")
    for name in variable_names(project):
        kind = "Date" if name == "published" else "Text"
        ET.SubElement(
            variables, "Variable", guid=guid("variable", name), name=name, typeOfVariable=kind
        )
    # The root is serialised without its end tag; the sources follow it in the stream.
    text = ET.tostring(root, encoding="unicode")
    return text.removesuffix("</Project>")


def write_qdpx(project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes]) -> None:
    """Write a ``.qdpx`` ZIP to the binary file ``out``, streaming: documents are read once.

    Each source text goes into the ZIP as it comes; the sources' XML is spooled to a temporary
    file and becomes ``project.qde`` at the end, so memory stays flat however large the project.
    """
    with (
        tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+b") as sources_xml,
        zipfile.ZipFile(out, "w") as archive,
    ):
        any_source = False
        for document in documents:
            element = text_source(document)
            zip_writestr(archive, f"sources/{element.get('guid')}.txt", document.text.encode())
            sources_xml.write(ET.tostring(element, encoding="unicode").encode())
            any_source = True
        sources_xml.seek(0)
        with zip_open(archive, "project.qde") as qde:
            qde.write((XML_DECLARATION + _head(project)).encode())
            if any_source:
                qde.write(b"<Sources>")
                while chunk := sources_xml.read(1 << 20):
                    qde.write(chunk)
                qde.write(b"</Sources>")
            if project.description:
                description = ET.Element("Description")
                description.text = project.description
                qde.write(ET.tostring(description, encoding="unicode").encode())
            qde.write(b"</Project>\n")

"""REFI-QDA readers: a codebook (``.qdc``) and the codings of a project (``.qdpx``).

Both are validated against the REFI schemas first; an invalid file is refused with the
element path and the schema's reason. Selections count code points of the plain-text source;
a source written with CRLF newlines or a BOM (as some tools do) is normalised and its offsets
mapped, so the coded text stays the same.
"""

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from .common import (
    DEFAULT_MAX_BYTES,
    ZIP_MAX_MEMBERS,
    BadFile,
    SafeZip,
    decode_text,
    map_span,
    normalise,
    offset_mapper,
    parse_date,
    parse_iso,
    parse_xml,
)
from .refi import CODEBOOK_NS, CRITERIA, FIELD_VARIABLES, METADATA_PREFIX, PROJECT_NS, schema
from .rows import CodeRow, CodingRow, DocumentRow


@dataclass
class QdpxContent:
    documents: list[tuple[str, DocumentRow]] = field(default_factory=list)
    codes: list[CodeRow] = field(default_factory=list)
    skipped_sources: int = 0  # PDF, picture, audio and video sources are not imported
    warnings: list[str] = field(default_factory=list)  # deviations accepted, named for the user


_GUID_ATTRIBUTES = ("guid", "targetGUID", "creatingUser", "modifyingUser")


def _lenient(root: ET.Element, filename: str, warnings: list[str]) -> None:
    """Accept what real exporters write although the schema does not: an empty ``<Sets/>``
    (Taguette) is dropped, lower-case GUIDs are read as upper case; each with a warning."""
    for parent in root.iter():
        for child in list(parent):
            if child.tag.rsplit("}", 1)[-1] == "Sets" and len(child) == 0:
                parent.remove(child)
                where = parent.tag.rsplit("}", 1)[-1]
                warnings.append(
                    f"{filename}: an empty <Sets/> in <{where}> was ignored (the REFI-QDA schema "
                    "requires at least one Set in it)."
                )
    lower = [
        value
        for element in root.iter()
        for name, value in element.attrib.items()
        if name in _GUID_ATTRIBUTES and value != value.upper()
    ]
    if lower:
        examples = ", ".join(lower[:3]) + (", ..." if len(lower) > 3 else "")
        warnings.append(
            f"{filename}: {len(lower)} GUIDs in lower case ({examples}) were read as upper case "
            "(REFI-QDA writes them upper case; some readers refuse lower case)."
        )


def _parse(data: bytes, filename: str, kind: str, warnings: list[str] | None = None) -> ET.Element:
    # defusedxml, nesting bounded (common.parse_xml); then the schema.
    if data[:4] == b"PK\x03\x04":
        raise BadFile(
            filename,
            "",
            f"this is a ZIP archive (a .qdpx project?), not the XML of a REFI-QDA {kind}.",
        )
    root = parse_xml(data, filename)
    _lenient(root, filename, [] if warnings is None else warnings)
    error = next(iter(schema(kind).iter_errors(root)), None)
    if error is not None:
        reason = (error.reason or str(error.message)).strip()
        raise BadFile(
            filename,
            f"element {error.path}",
            f"does not follow the REFI-QDA {kind} schema: {reason}",
        )
    return root


def _description(code: ET.Element, ns: dict[str, str]) -> dict[str, Any]:
    """Split a code's Description into the definition and our criteria sections."""
    element = code.find("q:Description", ns)
    text = (element.text or "") if element is not None else ""
    fields = {"definition": text}
    labels = "|".join(re.escape(label) for _, label in CRITERIA)
    parts = re.split(rf"(?:^|\n\n)({labels})\n", text)
    if len(parts) > 1:
        fields["definition"] = parts[0]
        by_label = {label: name for name, label in CRITERIA}
        for label, value in zip(parts[1::2], parts[2::2], strict=True):
            fields[by_label[label]] = value
    return fields


def _codes(codes: ET.Element | None, ns: dict[str, str]) -> tuple[list[CodeRow], dict[str, str]]:
    rows: list[CodeRow] = []
    paths: dict[str, str] = {}

    def walk(parent: ET.Element, parent_path: str) -> None:
        for order, code in enumerate(parent.findall("q:Code", ns), start=1):
            # The schema requires both attributes.
            name, code_guid = code.get("name", ""), code.get("guid", "")
            path = f"{parent_path}/{name}" if parent_path else name
            paths[code_guid.strip("{}").upper()] = path
            rows.append(
                CodeRow(
                    path=path,
                    name=name,
                    parent_path=parent_path,
                    color=_color(code.get("color")),
                    order=order,
                    is_active=code.get("isCodable") in ("true", "1"),
                    **_description(code, ns),
                )
            )
            walk(code, path)

    if codes is not None:
        walk(codes, "")
    return rows, paths


def _color(value: str | None) -> str:
    if not value:
        return "#4c78a8"
    if len(value) == 4:  # "#RGB" -> "#RRGGBB"
        return "#" + "".join(ch * 2 for ch in value[1:])
    return value


def read_qdc(data: bytes, filename: str, warnings: list[str] | None = None) -> list[CodeRow]:
    root = _parse(data, filename, "Codebook", warnings)
    rows, _ = _codes(root.find("c:Codes", {"c": CODEBOOK_NS}), {"q": CODEBOOK_NS})
    return rows


def read_codebook(
    data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[CodeRow], list[str]]:
    """The codes of a ``.qdc``, or of the codebook inside a ``.qdpx`` (a ZIP): ``(codes,
    warnings)``."""
    if data[:4] == b"PK\x03\x04":
        content = read_qdpx(data, filename, max_bytes=max_bytes)
        return content.codes, content.warnings
    warnings: list[str] = []
    return read_qdc(data, filename, warnings), warnings


def _guid(value: str | None) -> str:
    return (value or "").strip("{}").upper()


def _target(element: ET.Element, ref: str, ns: dict[str, str]) -> str:
    """The GUID the child ``ref`` (one the schema requires) points to."""
    child = element.find(ref, ns)
    return _guid(child.get("targetGUID") if child is not None else None)


def read_qdpx(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_members: int = ZIP_MAX_MEMBERS,
) -> QdpxContent:
    """The text sources of a ``.qdpx`` with their variables and codings (coder = user name).

    The ZIP may expand to at most ``max_bytes`` in all (see ``common.SafeZip``)."""
    try:
        archive = SafeZip(data, filename, max_bytes=max_bytes, max_members=max_members)
    except BadFile as exc:
        if exc.problem.startswith("not a ZIP"):
            if data.lstrip()[:1] == b"<":
                raise BadFile(
                    filename,
                    "",
                    "this is XML (a .qdc codebook?), not a ZIP file (a .qdpx is a ZIP archive).",
                ) from None
            raise BadFile(filename, "", "not a ZIP file (a .qdpx is a ZIP archive).") from None
        raise
    names = archive.names()
    if "project.qde" not in names:
        raise BadFile(filename, "project.qde", "missing from the archive.")
    qde = f"{filename}: project.qde"
    warnings: list[str] = []
    root = _parse(archive.read("project.qde"), qde, "Project", warnings)
    ns = {"q": PROJECT_NS}
    users = {
        _guid(u.get("guid")): u.get("name") or u.get("id") or ""
        for u in root.iterfind("q:Users/q:User", ns)
    }
    codes, code_paths = _codes(root.find("q:CodeBook/q:Codes", ns), ns)
    variables = {
        _guid(v.get("guid")): v.get("name") for v in root.iterfind("q:Variables/q:Variable", ns)
    }
    content = QdpxContent(codes=codes, warnings=warnings)
    sources = root.find("q:Sources", ns)
    if sources is None:
        return content
    for index, source in enumerate(sources, start=1):
        if source.tag != f"{{{PROJECT_NS}}}TextSource":
            content.skipped_sources += 1
            continue
        where = f"element /Project/Sources/*[{index}] (TextSource {source.get('name', '')!r})"
        raw = _source_text(archive, names, source, ns, qde, where)
        content.documents.append(
            (where, _document(raw, source, ns, users, code_paths, variables, qde, where))
        )
    return content


def _source_text(
    archive: SafeZip,
    names: set[str],
    source: ET.Element,
    ns: dict[str, str],
    filename: str,
    where: str,
) -> str:
    inline = source.find("q:PlainTextContent", ns)
    if inline is not None:
        return inline.text or ""
    path = source.get("plainTextPath") or ""
    if not path.startswith("internal://"):
        raise BadFile(
            filename, where, f"attribute plainTextPath: {path!r} is not an internal:// source."
        )
    member = path.removeprefix("internal://")
    for candidate in (f"sources/{member}", f"Sources/{member}"):
        if candidate in names:
            return decode_text(archive.read(candidate), f"{filename.split(':')[0]}: {candidate}")
    raise BadFile(
        filename, where, f"attribute plainTextPath: sources/{member} is not in the archive."
    )


def _document(
    raw: str,
    source: ET.Element,
    ns: dict[str, str],
    users: dict[str, str],
    code_paths: dict[str, str],
    variables: dict[str, str | None],
    filename: str,
    where: str,
) -> DocumentRow:
    if not raw.strip():
        raise BadFile(filename, where, "the source text is empty.")
    mapper = offset_mapper(raw)
    fields: dict[str, str] = {}
    metadata: dict[str, str] = {}
    for value in source.iterfind("q:VariableValue", ns):
        name = variables.get(_target(value, "q:VariableRef", ns))
        if name is None:
            raise BadFile(filename, where, "VariableValue: refers to an unknown Variable.")
        text = (value[1].text or "") if len(value) > 1 else ""
        if name in FIELD_VARIABLES:
            fields[name] = text
        else:
            metadata[name.removeprefix(METADATA_PREFIX)] = text
    published = parse_date(fields.pop("published", ""), filename, where, "published")
    codings = []
    for s_index, selection in enumerate(source.iterfind("q:PlainTextSelection", ns), start=1):
        here = f"{where}, PlainTextSelection[{s_index}]"
        start, end = map_span(
            raw,
            mapper,
            int(selection.get("startPosition", "")),  # both required by the schema
            int(selection.get("endPosition", "")),
            filename,
            here,
        )
        memo_element = selection.find("q:Description", ns)
        memo = (memo_element.text or "") if memo_element is not None else ""
        created = parse_iso(selection.get("creationDateTime"), filename, here, "creationDateTime")
        updated = parse_iso(selection.get("modifiedDateTime"), filename, here, "modifiedDateTime")
        for coding in selection.iterfind("q:Coding", ns):
            code_guid = _target(coding, "q:CodeRef", ns)
            if code_guid not in code_paths:
                raise BadFile(filename, here, f"CodeRef: {code_guid} is not a Code of the project.")
            user_guid = _guid(coding.get("creatingUser") or selection.get("creatingUser"))
            coder = users.get(user_guid, "") if user_guid else ""
            if user_guid and not coder:
                raise BadFile(filename, here, f"attribute creatingUser: {user_guid} is not a User.")
            when = parse_iso(coding.get("creationDateTime"), filename, here, "creationDateTime")
            codings.append(
                CodingRow(
                    coder=coder,
                    code_path=code_paths[code_guid],
                    start=start,
                    end=end,
                    memo=memo,
                    created_at=when or created,
                    updated_at=updated or when or created,
                )
            )
    return DocumentRow(
        id=None,
        text=normalise(raw),
        published=published,
        external_id=fields.get("external_id", ""),
        title=fields.get("title", ""),
        source=fields.get("source", ""),
        author=fields.get("author", ""),
        url=fields.get("url", ""),
        metadata=metadata,
        codings=codings,
    )

"""The project archive: one JSON file that restores a project exactly.

Shape (documented in the README)::

    {"format": "annotator-archive", "version": 1,
     "project": {"name", "description", "granularity", "blind_coding", "created_at"},
     "codebook": {"name", "description",
                  "codes": [{"path", "name", "parent", "color", "definition",
                             "inclusion_criteria", "exclusion_criteria", "example",
                             "shortcut", "order", "is_active"}]},
     "members": [{"username", "role"}],
     "documents": [{"text", "external_id", "title", "source", "author", "url", "published",
                    "metadata", "order", "created_at",
                    "codings": [{"coder", "code", "start_offset", "end_offset", "memo",
                                 "created_at", "updated_at"}],
                    "statuses": [{"coder", "state"}]}]}

No database ids: codes are named by path, people by username, so an archive restores into any
database. Written one document per line, streamed.
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .common import BadFile, decode_text, iso, load_json, map_span, parse_date, parse_iso
from .rows import CodeRow, CodingRow, DocumentRow, MemberRow, ProjectRow, StatusRow

T = TypeVar("T")

FORMAT = "annotator-archive"
VERSION = 1
CODE_FIELDS = (
    "color",
    "definition",
    "inclusion_criteria",
    "exclusion_criteria",
    "example",
    "shortcut",
    "order",
    "is_active",
)
DOCUMENT_TEXT_FIELDS = ("external_id", "title", "source", "author", "url")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _document(d: DocumentRow) -> dict[str, Any]:
    return {
        "text": d.text,
        **{name: getattr(d, name) for name in DOCUMENT_TEXT_FIELDS},
        "published": d.published.isoformat() if d.published else None,
        "metadata": d.metadata,
        "order": d.order,
        "created_at": iso(d.created_at),
        "codings": [
            {
                "coder": c.coder,
                "code": c.code_path,
                "start_offset": c.start,
                "end_offset": c.end,
                "memo": c.memo,
                "created_at": iso(c.created_at),
                "updated_at": iso(c.updated_at),
            }
            for c in d.codings
        ],
        "statuses": [{"coder": s.coder, "state": s.state} for s in d.statuses],
    }


def write_archive(project: ProjectRow, documents: Iterable[DocumentRow]) -> Iterator[str]:
    head = {
        "name": project.name,
        "description": project.description,
        "granularity": project.granularity,
        "blind_coding": project.blind_coding,
        "created_at": iso(project.created_at),
    }
    codebook = {
        "name": project.codebook_name,
        "description": project.codebook_description,
        "codes": [
            {
                "path": c.path,
                "name": c.name,
                "parent": c.parent_path,
                **{name: getattr(c, name) for name in CODE_FIELDS},
            }
            for c in project.codes
        ],
    }
    members = [{"username": m.username, "role": m.role} for m in project.members]
    yield (
        f'{{"format": "{FORMAT}", "version": {VERSION},\n'
        f'"project": {_dumps(head)},\n"codebook": {_dumps(codebook)},\n'
        f'"members": {_dumps(members)},\n"documents": ['
    )
    separator = "\n"
    for document in documents:
        yield separator + _dumps(_document(document))
        separator = ",\n"
    yield "\n]}\n"


def _require(record: dict[str, Any], name: str, kind: type[T], filename: str, where: str) -> T:
    value = record.get(name)
    if not isinstance(value, kind):
        raise BadFile(filename, where, f"field {name}: missing or of the wrong type.")
    return value


def read_archive(data: bytes, filename: str) -> tuple[ProjectRow, list[tuple[str, DocumentRow]]]:
    text = decode_text(data, filename)
    record = load_json(text, filename, "")
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise BadFile(filename, "", f'not an Annotator archive (no "format": "{FORMAT}").')
    if record.get("version") != VERSION:
        raise BadFile(filename, "", f"field version: only version {VERSION} is supported.")
    head = _require(record, "project", dict, filename, "project")
    book = _require(record, "codebook", dict, filename, "codebook")
    codes = []
    for i, code in enumerate(_require(book, "codes", list, filename, "codebook")):
        where = f"codebook.codes[{i}]"
        if not isinstance(code, dict):
            raise BadFile(filename, where, "expected an object.")
        codes.append(
            CodeRow(
                path=_require(code, "path", str, filename, where),
                name=_require(code, "name", str, filename, where),
                parent_path=_require(code, "parent", str, filename, where),
                **{name: code[name] for name in CODE_FIELDS if name in code},
            )
        )
    members = []
    for i, member in enumerate(_require(record, "members", list, filename, "members")):
        where = f"members[{i}]"
        if not isinstance(member, dict):
            raise BadFile(filename, where, "expected an object.")
        members.append(
            MemberRow(
                username=_require(member, "username", str, filename, where),
                role=_require(member, "role", str, filename, where),
            )
        )
    project = ProjectRow(
        name=_require(head, "name", str, filename, "project"),
        description=head.get("description") or "",
        granularity=head.get("granularity") or "character",
        blind_coding=bool(head.get("blind_coding", True)),
        created_at=parse_iso(head.get("created_at"), filename, "project", "created_at"),
        codebook_name=_require(book, "name", str, filename, "codebook"),
        codebook_description=book.get("description") or "",
        codes=tuple(codes),
        members=tuple(members),
    )
    documents = []
    for i, item in enumerate(_require(record, "documents", list, filename, "documents")):
        where = f"documents[{i}]"
        if not isinstance(item, dict):
            raise BadFile(filename, where, "expected an object.")
        documents.append((where, _read_document(item, filename, where)))
    return project, documents


def _read_document(item: dict[str, Any], filename: str, where: str) -> DocumentRow:
    text = _require(item, "text", str, filename, where)
    codings = []
    for j, c in enumerate(item.get("codings") or []):
        here = f"{where}.codings[{j}]"
        if not isinstance(c, dict):
            raise BadFile(filename, here, "expected an object.")
        # An archive's texts are already normalised: offsets are checked, not mapped.
        start, end = map_span(
            text, lambda o: o, c.get("start_offset"), c.get("end_offset"), filename, here
        )
        codings.append(
            CodingRow(
                coder=_require(c, "coder", str, filename, here),
                code_path=_require(c, "code", str, filename, here),
                start=start,
                end=end,
                memo=c.get("memo") or "",
                created_at=parse_iso(c.get("created_at"), filename, here, "created_at"),
                updated_at=parse_iso(c.get("updated_at"), filename, here, "updated_at"),
            )
        )
    statuses = [
        StatusRow(
            coder=_require(s, "coder", str, filename, f"{where}.statuses[{k}]"),
            state=_require(s, "state", str, filename, f"{where}.statuses[{k}]"),
        )
        for k, s in enumerate(item.get("statuses") or [])
    ]
    order = item.get("order", 0)
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise BadFile(filename, where, "field order: expected a whole number.")
    metadata = item.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise BadFile(filename, where, "field metadata: expected an object.")
    return DocumentRow(
        id=None,
        text=text,
        **{name: _text(item, name, filename, where) for name in DOCUMENT_TEXT_FIELDS},
        published=parse_date(item.get("published"), filename, where, "published"),
        metadata=metadata,
        order=order,
        created_at=parse_iso(item.get("created_at"), filename, where, "created_at"),
        codings=codings,
        statuses=statuses,
    )


def _text(item: dict[str, Any], name: str, filename: str, where: str) -> str:
    value = item.get(name) or ""
    if not isinstance(value, str):
        raise BadFile(filename, where, f"field {name}: expected a string.")
    return value

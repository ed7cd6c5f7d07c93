"""Plain rows passed between the selectors, the writers and the import services."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class CodeRow:
    path: str  # "parent/child": the code's identity in every export
    name: str
    parent_path: str  # "" for a top-level code
    color: str = "#4c78a8"
    definition: str = ""
    inclusion_criteria: str = ""
    exclusion_criteria: str = ""
    example: str = ""
    shortcut: str = ""
    order: int = 0
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class MemberRow:
    username: str
    role: str


class CodingRow(NamedTuple):
    """A named tuple rather than a dataclass: exports build a million of them."""

    coder: str  # username
    code_path: str
    start: int
    end: int
    memo: str = ""
    # Datetimes; or ISO 8601 text already (``selectors.exports.export_documents(text_times=)``).
    created_at: dt.datetime | str | None = None
    updated_at: dt.datetime | str | None = None

    @property
    def code(self) -> str:
        return self.code_path.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class StatusRow:
    coder: str
    state: str


@dataclass(slots=True)
class DocumentRow:
    """A document with its codings (already narrowed), in text order."""

    id: int | None
    text: str
    external_id: str = ""
    title: str = ""
    source: str = ""
    author: str = ""
    url: str = ""
    published: dt.date | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    order: int = 0
    created_at: dt.datetime | None = None
    text_sha256: str = ""
    codings: list[CodingRow] = field(default_factory=list)
    statuses: list[StatusRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """What an export says about the project besides its documents."""

    name: str
    description: str = ""
    granularity: str = "character"
    blind_coding: bool = True
    created_at: dt.datetime | None = None
    codebook_name: str = ""
    codebook_description: str = ""
    codes: tuple[CodeRow, ...] = ()
    members: tuple[MemberRow, ...] = ()
    coders: tuple[str, ...] = ()  # usernames of the coders whose codings are exported
    metadata_keys: tuple[str, ...] = ()  # every key of the exported documents' metadata

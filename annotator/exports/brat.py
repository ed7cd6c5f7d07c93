"""brat standoff: a ZIP holding one brat collection per coder.

Layout: ``<coder>/annotation.conf`` (the codebook as entity types, children indented under
their parents) and, per document, ``<coder>/<document>.txt`` (UTF-8, no BOM, LF) and
``<coder>/<document>.ann``. brat counts offsets in code points, as we do. brat cannot store a
newline inside a text-bound annotation, so a span crossing lines becomes discontinuous fragments
``start end;start end`` that skip the newlines; the first start and last end are our offsets.
Memos become ``AnnotatorNotes`` (newlines written as spaces).
"""

import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable

from .common import safe_name, zip_writestr
from .rows import DocumentRow, ProjectRow

_TYPE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def type_name(code_path: str) -> str:
    """A brat entity type for a code path: brat types allow letters, digits, ``_`` and ``-``."""
    return _TYPE_UNSAFE.sub("_", code_path.replace("/", "-")).strip("_") or "code"


def annotation_conf(project: ProjectRow) -> str:
    children = defaultdict(list)
    for code in project.codes:
        children[code.parent_path].append(code)
    lines = ["[entities]"]

    def add(parent_path: str, depth: int) -> None:
        for code in sorted(children[parent_path], key=lambda c: (c.order, c.name)):
            lines.append("\t" * depth + type_name(code.path))
            add(code.path, depth + 1)

    add("", 0)
    lines += ["", "[relations]", "", "[events]", "", "[attributes]", ""]
    return "\n".join(lines)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of ``[start, end)`` between newlines (the whole span when it has none)."""
    pieces, piece_start = [], start
    for i in range(start, end):
        if text[i] == "\n":
            if i > piece_start:
                pieces.append((piece_start, i))
            piece_start = i + 1
    if end > piece_start:
        pieces.append((piece_start, end))
    return pieces or [(start, end)]


def ann_file(document: DocumentRow, coder: str) -> str:
    lines, number = [], 0
    text = document.text
    for c in document.codings:
        if c.coder != coder:
            continue
        number += 1
        pieces = fragments(text, c.start, c.end)
        spans = ";".join(f"{a} {b}" for a, b in pieces)
        covered = " ".join(text[a:b] for a, b in pieces).replace("\n", " ")
        lines.append(f"T{number}\t{type_name(c.code_path)} {spans}\t{covered}")
        if c.memo:
            memo = " ".join(c.memo.split())
            lines.append(f"#{number}\tAnnotatorNotes T{number}\t{memo}")
    return "".join(line + "\n" for line in lines)


def document_stem(document: DocumentRow) -> str:
    if document.external_id:
        return f"{document.id}-{safe_name(document.external_id, 'document')}"
    return f"{document.id}"


def write_brat(project: ProjectRow, documents: Iterable[DocumentRow], out) -> None:
    """Write the ZIP to the binary file ``out``; every coder gets every exported document."""
    coders = sorted(project.coders)
    folders = {coder: safe_name(coder, "coder") for coder in coders}
    conf = annotation_conf(project).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for coder in coders:
            zip_writestr(archive, f"{folders[coder]}/annotation.conf", conf)
        for document in documents:
            stem = document_stem(document)
            body = document.text.encode()
            for coder in coders:
                zip_writestr(archive, f"{folders[coder]}/{stem}.txt", body)
                zip_writestr(
                    archive, f"{folders[coder]}/{stem}.ann", ann_file(document, coder).encode()
                )

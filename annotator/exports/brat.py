"""brat standoff: a ZIP holding one brat collection per coder.

Layout: ``annotation.conf`` at the root (brat looks for it in a collection's folder and then
its parents; a copy sits in each coder's folder too, so one folder can be used alone) — the
codebook as entity types, children indented under their parents — and, per coder, for each
document that coder coded (has codings, or marked it done), ``<coder>/<document>.txt`` (UTF-8,
no BOM, LF) and ``<coder>/<document>.ann``. A document the coder never coded gets no files: an
empty ``.ann`` would read as "coded, nothing found".

Types: brat type names are ASCII letters, digits, ``_`` and ``-``, starting with a letter. A
code path maps to itself with ``/`` written ``-`` when that is already such a name; any other
path (spaces, ``&``, accents, non-Latin scripts) or two paths that would read the same get
``_`` and 8 hex digits of the path's SHA-1, so every code is its own type, the same in every
export.

brat counts offsets in code points, as we do. brat cannot store a newline or a tab inside a
text-bound annotation's text column, so a span crossing them becomes discontinuous fragments
``start end;start end`` that skip those characters; the first start and last end are our
offsets. Memos become ``AnnotatorNotes`` (whitespace runs written as one space).
"""

import hashlib
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import IO

from .common import safe_name, zip_writestr
from .rows import DocumentRow, ProjectRow

_TYPE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_VALID_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters brat cannot hold inside the text column of a text-bound annotation.
_BREAKS = "\n\t"


def _plain(code_path: str) -> str:
    """The path in brat's alphabet: accents dropped, other characters as ``_``."""
    ascii_path = unicodedata.normalize("NFKD", code_path).encode("ascii", "ignore").decode()
    cleaned = _TYPE_UNSAFE.sub("_", ascii_path.replace("/", "-")).strip("_")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "code_" + cleaned if cleaned else "code"
    return cleaned


def _suffixed(base: str, code_path: str) -> str:
    return f"{base}_{hashlib.sha1(code_path.encode()).hexdigest()[:8]}"  # noqa: S324 - a label


def type_names(code_paths: Iterable[str]) -> dict[str, str]:
    """Each code path's brat type: distinct, valid, and stable across exports.

    A path already in brat's alphabet is its own type; a child path ``a/b`` is ``a-b`` unless a
    code is literally named ``a-b``; every other path gets the hash suffix.
    """
    paths = sorted(set(code_paths))
    literal = set(paths)
    names = {}
    for path in paths:
        plain = _plain(path)
        if (
            plain == path
            and _VALID_TYPE.match(plain)
            or plain == path.replace("/", "-")
            and _VALID_TYPE.match(plain)
            and plain not in literal
        ):
            names[path] = plain
        else:
            names[path] = _suffixed(plain, path)
    uses = Counter(names.values())
    return {path: _suffixed(name, path) if uses[name] > 1 else name for path, name in names.items()}


def annotation_conf(project: ProjectRow, types: dict[str, str]) -> str:
    children = defaultdict(list)
    for code in project.codes:
        children[code.parent_path].append(code)
    lines = ["[entities]"]

    def add(parent_path: str, depth: int) -> None:
        for code in sorted(children[parent_path], key=lambda c: (c.order, c.name)):
            lines.append("\t" * depth + types[code.path])
            add(code.path, depth + 1)

    add("", 0)
    lines += ["", "[relations]", "", "[events]", "", "[attributes]", ""]
    return "\n".join(lines)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of ``[start, end)`` between newlines and tabs (the whole span if none)."""
    pieces, piece_start = [], start
    for i in range(start, end):
        if text[i] in _BREAKS:
            if i > piece_start:
                pieces.append((piece_start, i))
            piece_start = i + 1
    if end > piece_start:
        pieces.append((piece_start, end))
    return pieces or [(start, end)]


def ann_file(document: DocumentRow, coder: str, types: dict[str, str]) -> str:
    lines, number = [], 0
    text = document.text
    for c in document.codings:
        if c.coder != coder:
            continue
        number += 1
        pieces = fragments(text, c.start, c.end)
        spans = ";".join(f"{a} {b}" for a, b in pieces)
        covered = " ".join(text[a:b] for a, b in pieces)
        # A span made only of breaks keeps its offsets; its text column is blanked.
        covered = covered.replace("\n", " ").replace("\t", " ")
        kind = types.get(c.code_path) or type_names([c.code_path])[c.code_path]
        lines.append(f"T{number}\t{kind} {spans}\t{covered}")
        if c.memo:
            memo = " ".join(c.memo.split())
            lines.append(f"#{number}\tAnnotatorNotes T{number}\t{memo}")
    return "".join(line + "\n" for line in lines)


def document_stem(document: DocumentRow) -> str:
    if document.external_id:
        return f"{document.id}-{safe_name(document.external_id, 'document')}"
    return f"{document.id}"


def coded_by(document: DocumentRow) -> set[str]:
    """The coders who coded the document: codings in the export, or marked done."""
    coders = {c.coder for c in document.codings}
    coders.update(s.coder for s in document.statuses if s.state == "done")
    return coders


def write_brat(project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes]) -> None:
    """Write the ZIP to the binary file ``out``: per coder, the documents that coder coded."""
    coders = sorted(project.coders)
    folders = {coder: safe_name(coder, "coder") for coder in coders}
    types = type_names(code.path for code in project.codes)
    conf = annotation_conf(project, types).encode()
    with zipfile.ZipFile(out, "w") as archive:
        zip_writestr(archive, "annotation.conf", conf)
        for coder in coders:
            zip_writestr(archive, f"{folders[coder]}/annotation.conf", conf)
        for document in documents:
            stem = document_stem(document)
            body = document.text.encode()
            coded = coded_by(document)
            for coder in coders:
                if coder not in coded:
                    continue
                zip_writestr(archive, f"{folders[coder]}/{stem}.txt", body)
                zip_writestr(
                    archive,
                    f"{folders[coder]}/{stem}.ann",
                    ann_file(document, coder, types).encode(),
                )

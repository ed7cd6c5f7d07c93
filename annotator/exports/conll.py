"""CoNLL-2003-style BIO: one token per line, one tag column per code, so overlaps survive.

A ZIP with one ``<coder>.conll`` per coder (BIO tags are one coder's view; two coders' tags
for the same code cannot share a column). Each file::

    # token<TAB>start<TAB>end<TAB><code path 1><TAB><code path 2>...
    -DOCSTART- -X- -X- O
    # document_id = <external id or SHA-256>
    Israel	6	12	B-cooperation	O
    ,	12	13	I-cooperation	O

    <next line of the text>

Columns are tab-separated: the token, its ``start`` and ``end`` (code points into the
document's text), then per code of the codebook (in codebook order, the header names them)
``B-<code>`` on the first token a coding of that code touches, ``I-<code>`` on the following
tokens it touches, ``O`` elsewhere. A line of the text is a sentence (a blank line after it).

Tokenizer: ``regex`` ``\\w+(?:['’-]\\w+)*`` (words, with inner apostrophes and hyphens) or any
other single grapheme cluster that is not whitespace (punctuation, each emoji and flag whole).
A coding that starts or ends inside a token tags the whole token: BIO cannot hold sub-token
spans, the ``start``/``end`` columns show what the tag covers.
"""

import io
import tempfile
import zipfile
from bisect import bisect_right
from collections.abc import Iterable
from typing import IO

import regex

from .common import safe_name, zip_open
from .jsonl import document_id
from .rows import DocumentRow, ProjectRow

TOKEN = regex.compile(r"\w+(?:['’-]\w+)*|(?!\s)\X")


def tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def document_block(document: DocumentRow, coder: str, paths: list[str]) -> str:
    column = {path: i for i, path in enumerate(paths)}
    toks = tokens(document.text)
    tags = [["O"] * len(paths) for _ in toks]
    starts = [t[1] for t in toks]
    for c in document.codings:
        if c.coder != coder or c.code_path not in column:
            continue
        k, first = column[c.code_path], True
        i = max(bisect_right(starts, c.start) - 1, 0)
        while i < len(toks) and toks[i][1] < c.end:
            if toks[i][2] > c.start:
                current = tags[i][k]
                if first:
                    tags[i][k] = f"B-{c.code_path}"
                elif current == "O":
                    tags[i][k] = f"I-{c.code_path}"
                first = False
            i += 1
    out = io.StringIO()
    out.write(f"-DOCSTART- -X- -X- O\n# document_id = {document_id(document)}\n")
    previous_end = 0
    for (token, start, end), row in zip(toks, tags, strict=True):
        if "\n" in document.text[previous_end:start] and previous_end:
            out.write("\n")
        out.write("\t".join((token, str(start), str(end), *row)) + "\n")
        previous_end = end
    out.write("\n")
    return out.getvalue()


def write_conll(project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes]) -> None:
    paths = [code.path for code in project.codes]
    header = "\t".join(("# token", "start", "end", *paths)) + "\n"
    coders = sorted(project.coders)
    buffers = {c: tempfile.SpooledTemporaryFile(max_size=4 << 20, mode="w+b") for c in coders}  # noqa: SIM115 (closed in finally)
    try:
        for document in documents:
            for coder in coders:
                buffers[coder].write(document_block(document, coder, paths).encode())
        used: set[str] = set()
        with zipfile.ZipFile(out, "w") as archive:
            for coder in coders:
                name = safe_name(coder, "coder")
                while name.lower() in used:
                    name += "_"
                used.add(name.lower())
                buffers[coder].seek(0)
                with zip_open(archive, f"{name}.conll") as entry:
                    entry.write(header.encode())
                    while chunk := buffers[coder].read(1 << 20):
                        entry.write(chunk)
    finally:
        for buffer in buffers.values():
            buffer.close()

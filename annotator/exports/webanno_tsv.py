"""WebAnno TSV 3.3 (INCEpTION's and WebAnno's tabular format), export only.

One ``<document>.tsv`` per document in a ZIP. The layer is ``webanno.custom.Code`` with the
features ``coder``, ``label`` (the code path) and ``memo``, as in the XMI export, so the two
load into the same INCEpTION layer. Every coder's codings are stacked in the same columns::

    #FORMAT=WebAnno TSV 3.3
    #T_SP=webanno.custom.Code|coder|label|memo


    #Text=Israel and Russia
    1-1	0-6	Israel	annotator[1]|annotator2	Q&A <frames>/left/right[1]|trade	*[1]|_
    1-2	7-10	and	annotator[1]	...

Sentences are the lines of the text; tokens come from the CoNLL tokenizer (``conll.tokens``:
words, or single grapheme clusters such as an emoji). ``begin-end`` count UTF-16 code units
(Java's strings), from the start of the document. A coding covers the tokens it touches (TSV
has sub-token lines, which we do not write, so a coding that starts or ends inside a token is
widened to it); one spanning several tokens, or stacked with another on a token, carries an
``[n]`` id unique in the document. ``_`` is "no annotation", ``*`` an annotation whose
feature is empty. Reserved characters in values are escaped with a backslash (``\\ [ ] | _
-> ; * `` tab, newline).
"""

import zipfile
from collections.abc import Iterable
from typing import IO, Any

from .common import safe_name, zip_writestr
from .conll import tokens
from .jsonl import document_id
from .rows import DocumentRow, ProjectRow
from .units import UnitMap

LAYER = "webanno.custom.Code"
FEATURES = ("coder", "label", "memo")
HEADER = f"#FORMAT=WebAnno TSV 3.3\n#T_SP={LAYER}|{'|'.join(FEATURES)}\n\n"
_RESERVED = [("\\", "\\\\"), ("[", "\\["), ("]", "\\]"), ("|", "\\|"), ("_", "\\_")]
_RESERVED += [("->", "\\->"), (";", "\\;"), ("\t", "\\t"), ("\n", "\\n"), ("*", "\\*")]


def escape(value: str) -> str:
    for raw, escaped in _RESERVED:
        value = value.replace(raw, escaped)
    return value


def document_tsv(document: DocumentRow) -> str:
    text = document.text
    units = UnitMap(text, "utf16")
    toks = tokens(text)
    # sentence number per token: lines of the text
    sentence, position, numbers = 1, 0, []
    previous_end = 0
    for _, start, end in toks:
        if previous_end and "\n" in text[previous_end:start]:
            sentence += 1
            position = 0
        position += 1
        numbers.append((sentence, position))
        previous_end = end
    # the tokens each coding touches
    cells: list[list[tuple[Any, ...]]] = [[] for _ in toks]
    covered = []
    for c in document.codings:
        touched = [i for i, (_, s, e) in enumerate(toks) if s < c.end and e > c.start]
        if touched:
            covered.append((c, touched))
    stacked = {i for i, _ in enumerate(toks) if sum(i in t for _, t in covered) > 1}
    next_id = 1
    for c, touched in covered:
        ident = 0
        if len(touched) > 1 or any(i in stacked for i in touched):
            ident, next_id = next_id, next_id + 1
        for i in touched:
            cells[i].append((c, ident))
    out = [HEADER]
    current = 0
    for k, ((token, start, end), (s_no, t_no)) in enumerate(zip(toks, numbers, strict=True)):
        if s_no != current:
            current = s_no
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line = text[line_start : None if line_end < 0 else line_end]
            out.append(f"\n#Text={line}\n")
        columns = []
        for feature in FEATURES:
            values = []
            for c, ident in cells[k]:
                raw = {"coder": c.coder, "label": c.code_path, "memo": c.memo}[feature]
                value = escape(raw) if raw else "*"
                values.append(f"{value}[{ident}]" if ident else value)
            columns.append("|".join(values) if values else "_")
        begin, finish = units.to_unit(start), units.to_unit(end, end=True)
        out.append(f"{s_no}-{t_no}\t{begin}-{finish}\t{escape(token)}\t" + "\t".join(columns))
        out.append("\t\n")
    return "".join(out)


def write_tsv(project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes]) -> None:
    used: set[str] = set()
    with zipfile.ZipFile(out, "w") as archive:
        for document in documents:
            stem = safe_name(document.title or document_id(document), "document")[:60]
            name, n = stem, 1
            while name.lower() in used:
                n += 1
                name = f"{stem}-{n}"
            used.add(name.lower())
            zip_writestr(archive, f"{name}.tsv", document_tsv(document).encode())

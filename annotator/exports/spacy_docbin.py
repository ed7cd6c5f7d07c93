"""spaCy ``DocBin``: one ``Doc`` per document, every coding a span of ``doc.spans["codes"]``.

Optional: needs the ``spacy`` extra (``pip install annotator[spacy]``); the format is offered
only when spaCy is installed. Tokens come from ``spacy.blank("xx")`` (the multi-language
tokenizer, no model to download), so ``doc.text`` is the document's text exactly. A span group
may overlap, so every coder's codings are kept; each span's ``label_`` is the code path and
``id_`` the coder. A coding that starts or ends inside a token is widened to the whole token
(``char_span(alignment_mode="expand")``). ``doc.user_data`` holds ``document_id`` and ``title``.

Read it back with ``DocBin().from_bytes(data).get_docs(spacy.blank("xx").vocab)``.
"""

import importlib.util
from collections.abc import Iterable
from typing import IO

from .jsonl import document_id
from .rows import DocumentRow, ProjectRow

SPAN_KEY = "codes"


def available() -> bool:
    return importlib.util.find_spec("spacy") is not None


def write_docbin(project: ProjectRow, documents: Iterable[DocumentRow], out: IO[bytes]) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("xx")
    docbin = DocBin(store_user_data=True)
    for document in documents:
        doc = nlp.make_doc(document.text)
        spans = []
        for c in document.codings:
            span = doc.char_span(c.start, c.end, label=c.code_path, alignment_mode="expand")
            if span is None:  # a span of whitespace only: no token to hold it
                continue
            span.id_ = c.coder
            spans.append(span)
        doc.spans[SPAN_KEY] = spans
        doc.user_data["document_id"] = document_id(document)
        doc.user_data["title"] = document.title
        docbin.add(doc)
    out.write(docbin.to_bytes())

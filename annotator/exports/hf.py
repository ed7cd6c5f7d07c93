"""Hugging Face ``datasets``-ready JSON Lines: one document per line, every field of one type.

``datasets.load_dataset("json", ...)`` and plain ``pyarrow.json.read_json`` infer one Arrow
type per field; our Annotator JSONL mixes types (``label`` holds ``[int, int, str]`` lists,
``published`` is a string or null, ``metadata`` has different keys per document), which Arrow
refuses. Here every line has the same keys and each key one type::

    {"id": "<external id or SHA-256>", "text": "...", "title": "", "source": "", "author": "",
     "url": "", "published": "YYYY-MM-DD" or "", "metadata": "<the metadata as a JSON string>",
     "spans": [{"start": 0, "end": 5, "label": "<code path>", "coder": "<username>",
                "memo": ""}]}

``start``/``end`` are code points into ``text`` (Python slicing; the Arrow string is UTF-8 but
``datasets`` hands back Python ``str``). Every coder's spans are listed, so overlaps survive.
"""

import json
from collections.abc import Iterable, Iterator

from .jsonl import document_id
from .rows import DocumentRow

_CHUNK = 1 << 16


def hf_line(document: DocumentRow) -> str:
    record = {
        "id": document_id(document),
        "text": document.text,
        "title": document.title,
        "source": document.source,
        "author": document.author,
        "url": document.url,
        "published": document.published.isoformat() if document.published else "",
        "metadata": json.dumps(document.metadata, ensure_ascii=False, sort_keys=True),
        "spans": [
            {"start": c.start, "end": c.end, "label": c.code_path, "coder": c.coder, "memo": c.memo}
            for c in document.codings
        ],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_hf_jsonl(documents: Iterable[DocumentRow]) -> Iterator[str]:
    parts, size = [], 0
    for document in documents:
        line = hf_line(document)
        parts.append(line)
        size += len(line)
        if size > _CHUNK:
            yield "".join(parts)
            parts, size = [], 0
    yield "".join(parts)

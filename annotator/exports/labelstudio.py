"""Label Studio: tasks JSON both ways, and a labeling config generated from the codebook.

Export: a JSON list of tasks, one per document, as Label Studio imports them::

    {"data": {"text": "...", "document_id": "...", "title": "...", ...metadata},
     "annotations": [{"completed_by": {"username": "<coder>"}, "ground_truth": false,
                      "result": [{"id": "...", "from_name": "label", "to_name": "text",
                                  "type": "labels", "origin": "manual",
                                  "value": {"start": 0, "end": 5, "text": "...",
                                            "labels": ["<code path>"]}}]}]}

One annotation per coder of the document. ``start``/``end`` count code points, as Label Studio's
``Text`` tag stores them. Memos travel as the result's ``meta.text``.

Import: the same shape, or Label Studio's own JSON export. ``annotations`` and ``predictions``
both bring codings (cancelled annotations are skipped); the coder is ``completed_by``'s
``username`` or ``email`` when it is an object, ``label-studio-<id>`` for a bare user id (what
Label Studio's export writes), and the prediction's ``model_version`` (else ``prediction``).
Every label of a ``labels`` result is a coding; other result types (choices, relations) are
skipped. The text is ``data.text``, or the only string of ``data``.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree import ElementTree as ET

from .common import (
    BadFile,
    decode_text,
    load_json,
    map_span,
    normalise,
    offset_mapper,
    parse_date,
)
from .jsonl import _text_field, document_id
from .rows import CodingRow, DocumentRow, ProjectRow

FROM_NAME, TO_NAME = "label", "text"


def labeling_config(project: ProjectRow) -> str:
    """``<View>`` with a ``Labels`` tag holding every code path (colours kept) over ``Text``."""
    view = ET.Element("View")
    labels = ET.SubElement(view, "Labels", name=FROM_NAME, toName=TO_NAME)
    for code in project.codes:
        ET.SubElement(labels, "Label", value=code.path, background=code.color)
    ET.SubElement(view, "Text", name=TO_NAME, value="$text")
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _result_id(*key: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, key)).encode()).hexdigest()[:10]  # noqa: S324


def task(document: DocumentRow) -> dict[str, Any]:
    data = {
        "text": document.text,
        "document_id": document_id(document),
        "title": document.title,
        "source": document.source,
        "author": document.author,
        "url": document.url,
        "published": document.published.isoformat() if document.published else None,
    }
    for key, value in document.metadata.items():
        data.setdefault(key, value)
    by_coder: dict[str, list[Any]] = {}
    for c in document.codings:
        result = {
            "id": _result_id(c.coder, c.code_path, c.start, c.end),
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "origin": "manual",
            "value": {
                "start": c.start,
                "end": c.end,
                "text": document.text[c.start : c.end],
                "labels": [c.code_path],
            },
        }
        if c.memo:
            result["meta"] = {"text": [c.memo]}
        by_coder.setdefault(c.coder, []).append(result)
    return {
        "data": data,
        "annotations": [
            {"completed_by": {"username": coder}, "ground_truth": False, "result": results}
            for coder, results in sorted(by_coder.items())
        ],
    }


def write_tasks(project: ProjectRow, documents: Iterable[DocumentRow]) -> Iterator[str]:
    separator = "[\n"
    for document in documents:
        yield separator + json.dumps(task(document), ensure_ascii=False)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def _coder(annotation: dict[str, Any], kind: str) -> str:
    if kind == "predictions":
        version = annotation.get("model_version")
        return version if isinstance(version, str) and version else "prediction"
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        name = who.get("username") or who.get("email") or ""
        return name if isinstance(name, str) else str(name)
    if isinstance(who, int) and not isinstance(who, bool):
        return f"label-studio-{who}"
    return ""


def _text(data: dict[str, Any], filename: str, where: str) -> str:
    text = data.get("text")
    if text is None:
        strings = [v for v in data.values() if isinstance(v, str)]
        text = strings[0] if len(strings) == 1 else None
    if not isinstance(text, str) or not text.strip():
        raise BadFile(filename, where, "field data.text: missing or empty.")
    return text


def read_tasks(data: bytes, filename: str) -> tuple[list[tuple[str, DocumentRow]], list[Any]]:
    tasks = load_json(decode_text(data, filename), filename, "")
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise BadFile(filename, "", "expected a list of Label Studio tasks.")
    documents = []
    for index, item in enumerate(tasks):
        where = f"task[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
            raise BadFile(filename, where, "expected an object with data.")
        fields = item["data"]
        raw = _text(fields, filename, where)
        mapper = offset_mapper(raw)
        codings = []
        for kind in ("annotations", "predictions"):
            entries = item.get(kind) or []
            if not isinstance(entries, list):
                raise BadFile(filename, where, f"field {kind}: expected a list.")
            for a_index, annotation in enumerate(entries):
                here = f"{where}, {kind}[{a_index}]"
                if not isinstance(annotation, dict):
                    raise BadFile(filename, here, "expected an object.")
                if annotation.get("was_cancelled"):
                    continue
                coder = _coder(annotation, kind)
                results = annotation.get("result") or []
                if not isinstance(results, list):
                    raise BadFile(filename, here, "field result: expected a list.")
                for r_index, result in enumerate(results):
                    spot = f"{here}, result[{r_index}]"
                    if not isinstance(result, dict) or result.get("type") != "labels":
                        continue
                    value = result.get("value")
                    if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
                        raise BadFile(filename, spot, "field value.labels: expected a list.")
                    start, end = map_span(
                        raw, mapper, value.get("start"), value.get("end"), filename, spot
                    )
                    memo = ""
                    meta = result.get("meta")
                    if isinstance(meta, dict) and isinstance(meta.get("text"), list):
                        memo = "\n".join(t for t in meta["text"] if isinstance(t, str))
                    for label in value["labels"]:
                        if not isinstance(label, str) or not label:
                            raise BadFile(filename, spot, "field value.labels: not a label.")
                        codings.append(CodingRow(coder, label, start, end, memo))
        ident = fields.get("document_id")
        metadata = {
            k: v
            for k, v in fields.items()
            if k not in ("text", "document_id", "title", "source", "author", "url", "published")
        }
        documents.append(
            (
                where,
                DocumentRow(
                    id=None,
                    text=normalise(raw),
                    external_id=str(ident) if isinstance(ident, str | int) else "",
                    title=_text_field(fields, "title", filename, where),
                    source=_text_field(fields, "source", filename, where),
                    author=_text_field(fields, "author", filename, where),
                    url=_text_field(fields, "url", filename, where),
                    published=parse_date(fields.get("published"), filename, where, "published"),
                    metadata=metadata,
                    codings=codings,
                ),
            )
        )
    return documents, []

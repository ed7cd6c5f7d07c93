"""Auto-code by search: a query proposes codings for one code; the coder reviews them.

``autocode_preview`` only reads: it lists the hits (never stored). ``autocode_apply`` stores
the hits the coder accepted (possibly with adjusted boundaries) as ordinary codings of that
coder through ``annotation_bulk_create``, each marked with a ``CodingProvenance`` naming the
query. Rejected hits are simply not sent, so they leave no trace.

Patterns run with the ``regex`` package and a time budget for the whole preview: a pattern
with catastrophic backtracking is stopped and refused with a message, never left running.
"""

import time
from dataclasses import dataclass

import regex
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Annotation, Code, CodingProvenance, Document
from .annotations import annotation_bulk_create
from .workspace import selection_normalise

MAX_QUERY = 500
MAX_HITS = 500
MAX_APPLY = 1000
BUDGET_SECONDS = 1.0  # regex time for one preview over every document
EXTENDS = {"": "the match", "sentence": "its sentence", "paragraph": "its paragraph"}
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")


@dataclass(frozen=True)
class AutocodeQuery:
    text: str
    is_regex: bool = False
    whole_words: bool = False
    case_sensitive: bool = False
    extend: str = ""

    def label(self) -> str:
        """How the provenance records the query, e.g. ``regex "\\bIran\\b" (words, case)``."""
        options = [
            name
            for name, on in (
                ("whole words", self.whole_words),
                ("case-sensitive", self.case_sensitive),
                (f"extended to the {self.extend}", bool(self.extend)),
            )
            if on
        ]
        kind = "regex" if self.is_regex else "text"
        return f'{kind} "{self.text}"' + (f" ({', '.join(options)})" if options else "")


@dataclass(frozen=True)
class Hit:
    document_id: int
    document_title: str
    start: int
    end: int
    text: str
    before: str
    after: str


def autocode_compile(query: AutocodeQuery):
    """The compiled pattern; ``ValidationError`` on an empty, too long or invalid query."""
    if not isinstance(query.text, str) or not query.text.strip():
        raise ValidationError({"query": "Enter text or a regular expression to search for."})
    if len(query.text) > MAX_QUERY:
        raise ValidationError({"query": f"A query is at most {MAX_QUERY} characters."})
    if query.extend not in EXTENDS:
        raise ValidationError({"extend": "Choose the match, its sentence or its paragraph."})
    pattern = query.text if query.is_regex else regex.escape(query.text.strip())
    if query.whole_words:
        pattern = rf"(?<!\w)(?:{pattern})(?!\w)"
    flags = 0 if query.case_sensitive else regex.IGNORECASE
    try:
        return regex.compile(pattern, flags)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        raise ValidationError({"query": f"Not a valid regular expression: {exc}."}) from None


def _extend(text: str, start: int, end: int, how: str) -> tuple[int, int]:
    if how == "paragraph":
        line_end = text.find("\n", end)
        return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end
    if how == "sentence":
        line_start = text.rfind("\n", 0, start) + 1
        sentence_start = line_start
        for m in _SENTENCE_END.finditer(text, line_start, start):
            sentence_start = m.end()
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        m = _SENTENCE_END.search(text, max(end - 1, start), line_end)
        return sentence_start, (m.end() if m else line_end)
    return start, end


def _context(text: str, start: int, end: int, width: int = 60) -> tuple[str, str]:
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    return ("…" if start > width else "") + before, after + ("…" if end + width < len(text) else "")


def autocode_preview(
    *, project, code: Code, coder, query: AutocodeQuery, budget: float = BUDGET_SECONDS
) -> tuple[list[Hit], dict]:
    """The codings the query proposes, in document order; nothing is written.

    Hits the coder already coded with this code are left out (counted in ``info["known"]``);
    at most ``MAX_HITS`` are listed (``info["truncated"]``). ``ValidationError`` for an invalid
    query, a code of another codebook, or a pattern that exceeds the time budget.
    """
    if code.codebook_id != project.codebook_id or not code.is_active:
        raise ValidationError({"code": "Choose an active code of the project's codebook."})
    pattern = autocode_compile(query)
    known = set(
        Annotation.objects.filter(document__project=project, coder=coder, code=code).values_list(
            "document_id", "start_offset", "end_offset"
        )
    )
    hits: list[Hit] = []
    info = {"known": 0, "truncated": False, "documents": 0}
    deadline = time.monotonic() + budget
    documents = (
        Document.objects.filter(project=project)
        .order_by("order", "id")
        .only("id", "title", "text", "length", "project")
    )
    for document in documents.iterator(chunk_size=200):
        info["documents"] += 1
        text, pos, seen = document.text, 0, set()
        document.project = project  # selection_normalise reads the granularity
        while pos <= len(text):
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                m = pattern.search(text, pos, timeout=remaining)
            except TimeoutError:
                raise ValidationError(
                    {
                        "query": f"The search took longer than {budget:g} s and was stopped; "
                        "simplify the pattern (nested repetition such as (a+)+ backtracks "
                        "without end)."
                    }
                ) from None
            if m is None:
                break
            pos = m.end() if m.end() > m.start() else m.end() + 1
            if m.end() == m.start():
                continue
            start, end = _extend(text, m.start(), m.end(), query.extend)
            try:
                start, end = selection_normalise(document=document, start=start, end=end)
            except ValidationError:
                continue  # only whitespace
            if (start, end) in seen:
                continue
            seen.add((start, end))
            if (document.pk, start, end) in known:
                info["known"] += 1
                continue
            if len(hits) >= MAX_HITS:
                info["truncated"] = True
                return hits, info
            before, after = _context(text, start, end)
            hits.append(
                Hit(document.pk, document.display_title, start, end, text[start:end], before, after)
            )
    return hits, info


@transaction.atomic
def autocode_apply(*, project, code: Code, coder, query: AutocodeQuery, items) -> int:
    """Store the accepted hits as codings of ``coder``; returns how many were new.

    ``items`` are mappings with ``document`` (an id of the project), ``start_offset`` and
    ``end_offset`` (as reviewed, possibly adjusted; the workspace's trimming and word rules
    apply). All or nothing: any bad item refuses the batch with ``items.<i>.<field>`` errors.
    Only codings this call creates get the auto-code provenance; a coding the coder had made
    by hand stays theirs.
    """
    if code.codebook_id != project.codebook_id or not code.is_active:
        raise ValidationError({"code": "Choose an active code of the project's codebook."})
    autocode_compile(query)  # the query is recorded: it must be one the preview could run
    if not items:
        raise ValidationError({"items": "Accept at least one hit."})
    if len(items) > MAX_APPLY:
        raise ValidationError({"items": f"At most {MAX_APPLY} hits at once."})
    doc_ids = {item.get("document") for item in items if isinstance(item, dict)}
    valid_ids = [pk for pk in doc_ids if isinstance(pk, int) and not isinstance(pk, bool)]
    documents = Document.objects.filter(project=project).in_bulk(valid_ids)
    errors: dict[str, list[str]] = {}
    batches: dict[int, list[tuple[int, dict]]] = {}
    for index, item in enumerate(items):
        prefix = f"items.{index}"
        if not isinstance(item, dict):
            errors[prefix] = ["Must be an object."]
            continue
        document = documents.get(item.get("document"))
        if document is None:
            errors[f"{prefix}.document"] = ["No such document in this project."]
            continue
        document.project = project
        try:
            start, end = selection_normalise(
                document=document, start=item.get("start_offset"), end=item.get("end_offset")
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"{prefix}.{name}"] = messages
            continue
        batches.setdefault(document.pk, []).append(
            (index, {"code": code, "start_offset": start, "end_offset": end})
        )
    if errors:
        raise ValidationError(errors)
    before = set(
        Annotation.objects.filter(
            document_id__in=list(batches), coder=coder, code=code
        ).values_list("id", flat=True)
    )
    created: list[int] = []
    for document_id, batch in batches.items():
        annotations, _ = annotation_bulk_create(
            document=documents[document_id], coder=coder, items=[item for _, item in batch]
        )
        created += [a.pk for a in annotations if a.pk not in before]
    created = sorted(set(created))
    label = query.label()
    CodingProvenance.objects.bulk_create(
        CodingProvenance(annotation_id=pk, source=CodingProvenance.Source.AUTO_CODE, query=label)
        for pk in created
    )
    return len(created)

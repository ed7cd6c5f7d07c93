"""Reads and HTML building for the annotation workspace.

The document text is rendered once, on the server, as plain paragraphs (one ``<p>`` per
blank-line-separated paragraph, one ``<span data-start>`` per line of the text in it, whose
``data-start`` is its first code point): the whole text is in the DOM (find in page, screen
readers) with three DOM nodes per line. The
codings are not markup: the page carries them as data (``coding_data``) and
``static/annotator/js/workspace.js`` paints them with the CSS Custom Highlight API, one
highlight per code and underline track. A save therefore answers with no text at all, and its
work does not grow with the document.
"""

import re
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Substr

from ..models import Annotation, Code, Document, DocumentStatus, Membership

SNIPPET_CHARS = 60


@dataclass(frozen=True, slots=True)
class Coding:
    id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    memo: str


def workspace_codes(project) -> list[Code]:
    """Every code of the codebook, in codebook order (one query). Deactivated codes are
    included: their existing codings keep their colour and name everywhere; the page offers
    only active ones (``code.is_active``) for new codings."""
    return list(
        Code.objects.filter(codebook_id=project.codebook_id).order_by("order", "name", "id")
    )


def project_coders(project) -> list:
    """Members of the project, for the curator's coder picker (one query)."""
    return [
        m.user
        for m in Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("user__username")
    ]


def codings_for(
    *, document: Document, coder_ids=None, start: int | None = None, end: int | None = None
) -> list[Coding]:
    """Codings of the document (by the given coders), optionally only those overlapping
    ``[start, end)``; ordered by start (one query, no model instances)."""
    qs = Annotation.objects.filter(document=document)
    if coder_ids is not None:
        qs = qs.filter(coder_id__in=list(coder_ids))
    if start is not None and end is not None:
        qs = qs.filter(Q(start_offset__lt=end) & Q(end_offset__gt=start))
    rows = qs.order_by("start_offset", "end_offset", "id").values_list(
        "id", "code_id", "coder_id", "start_offset", "end_offset", "memo"
    )
    return [Coding(*row) for row in rows]


def status_of(*, document: Document, coder) -> str | None:
    return (
        DocumentStatus.objects.filter(document=document, coder=coder)
        .values_list("state", flat=True)
        .first()
    )


def _escape(text: str) -> str:
    """The same five replacements as ``django.utils.html.escape``, without its per-call lazy
    wrapper and with ``str.replace`` (C speed) instead of ``str.translate`` (a dict lookup per
    character)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


# A line that starts a list item, and the end of a line that ends a sentence.
_LIST_ITEM = re.compile(r"\s*(?:[-*\u2022\u2013\u2014]|\d{1,3}[.)])\s")
_SENTENCE_END = re.compile(r"[.!?:;\u2026][\"'\u201d\u2019\u00bb)\]]*\s*$")


def text_html(text: str, *, id_prefix: str | None = "para-") -> str:
    """The document's text for reading. Hard-wrapped lines flow as one paragraph: a line
    continues the paragraph of the line before it unless that line ends a sentence, or the
    line starts a list item (``- ``, ``* ``, ``1. ``), or a blank line separates them. Each
    paragraph is a ``<p class="para">`` holding one ``<span id="para-<line>" class="ln"
    data-start="<code point>">`` per source line, the spans joined by the source's ``\n``: a
    text node of the paragraph, where it renders as a space (the spans keep runs of spaces,
    ``white-space: pre-wrap``), so it stays in the DOM text and offsets do not change. A
    paragraph followed directly by the next line (no blank line) is ``joined``: no margin.
    The ``para-<line>`` ids (line = the number of line breaks before it, as the analysis pages
    link them) are on the line spans. Built with one escape of the whole text and string
    joins (a template loop is far too slow for 1,000,000 characters)."""
    escaped = _escape(text).split("\n")
    lines = text.split("\n")
    parts: list[str] = []
    block: list[str] = []
    pos, previous = 0, ""  # previous: the line before, "" after a blank line

    def close(css: str) -> None:
        parts.append(f'<p class="{css}">' + "\n".join(block) + "</p>")
        block.clear()

    for i, line in enumerate(lines):
        if line:
            if block and (_SENTENCE_END.search(previous) or _LIST_ITEM.match(line)):
                close("para joined")
            ident = f' id="{id_prefix}{i}"' if id_prefix else ""
            block.append(f'<span{ident} class="ln" data-start="{pos}">{escaped[i]}</span>')
        elif block:
            close("para")
        previous = line
        pos += len(line) + 1
    if block:
        close("para")
    return "".join(parts)


# Characters read around a selection when saving it (trimming, word snapping, quoting).
TEXT_WINDOW = 2_000


class TextWindow:
    """A document's text as a save reads it: its length and the characters around one span,
    loaded with ``Substr`` instead of the whole text (1,000,000 characters are megabytes to
    read, send and decode on every key press). Indexing and slicing inside the window answer
    from it; anything outside (a word longer than the window, the page re-rendered after an
    error) loads the whole text once, so the result is always that of the real text."""

    __slots__ = ("document_id", "length", "offset", "chars", "_text")

    def __init__(self, document_id: int, length: int, offset: int, chars: str):
        self.document_id, self.length, self.offset, self.chars = document_id, length, offset, chars
        self._text: str | None = None

    def __len__(self) -> int:
        return self.length

    def __str__(self) -> str:
        if self._text is None:
            self._text = Document.objects.values_list("text", flat=True).get(pk=self.document_id)
        return self._text

    def __getitem__(self, key):
        end = self.offset + len(self.chars)
        if isinstance(key, slice):
            start, stop, step = key.indices(self.length)
            if step == 1 and (stop <= start or (self.offset <= start and stop <= end)):
                return self.chars[start - self.offset : stop - self.offset] if stop > start else ""
        elif isinstance(key, int) and self.offset <= key < end:
            return self.chars[key - self.offset]
        return str(self)[key]


def document_for_save(*, project, document_id: int, start, end) -> Document | None:
    """The project's document (``None`` if it has no such one) with ``text`` a
    ``TextWindow`` around ``[start, end)``: what saving a coding reads, in one query whose
    work does not grow with the document."""
    try:
        a, b = max(0, int(start) - TEXT_WINDOW), max(0, int(end)) + TEXT_WINDOW
    except (TypeError, ValueError):
        a, b = 0, 0  # the service refuses such offsets; nothing of the text is needed
    document = (
        Document.objects.filter(pk=document_id, project=project)
        .defer("text", "metadata")
        .annotate(window=Substr("text", a + 1, max(0, b - a)))
        .first()
    )
    if document is not None:
        # A str stand-in that reads only the window (the text column is never written back:
        # saving a coding does not save the document, and a trigger refuses text changes).
        document.text = TextWindow(document.pk, document.length, a, document.window or "")  # type: ignore[assignment]
    return document


def coding_data(codings) -> list[int]:
    """The codings as the page's script paints them: ``[id, code id, start, end]`` of each,
    flattened into one list of integers (compact JSON)."""
    return list(chain.from_iterable((c.id, c.code_id, c.start, c.end) for c in codings))


def coding_data_for(*, document: Document, coder_id: int) -> list[int]:
    """``coding_data`` of one coder's codings on the document, straight from one query of the
    four columns it needs (no memo, no ordering: the page's script sorts what it paints)."""
    rows = (
        Annotation.objects.filter(document=document, coder_id=coder_id)
        .order_by()
        .values_list("id", "code_id", "start_offset", "end_offset")
    )
    return list(chain.from_iterable(rows))


def coding_items(text: str, codings, codes_by_id: dict, panel_url: str) -> str:
    """``<li>`` entries of the coding list, one per coding, in the order given."""
    names = {cid: _escape(code.name) for cid, code in codes_by_id.items()}
    parts = []
    for c in codings:
        quoted = text[c.start : c.end]
        if len(quoted) > SNIPPET_CHARS:
            quoted = quoted[: SNIPPET_CHARS - 1] + "…"
        memo = f' <span class="memo">{_escape(c.memo)}</span>' if c.memo else ""
        parts.append(
            f'<li id="ann-{c.id}" class="coding" data-start="{c.start}" data-end="{c.end}">'
            f'<a class="coding-link" href="{panel_url}?ids={c.id}" data-ann="{c.id}">'
            f'<span class="swatch sw-c{c.code_id}"></span> {names[c.code_id]}'
            f"</a> <q>{_escape(quoted)}</q>{memo}</li>"
        )
    return "".join(parts)


def project_documents(*, project, user, coders: list[int] | None = None) -> list[Any]:
    """The project's documents in order, each with the user's own state (``my_state``) and
    number of codings (``my_codings``) and how many of ``coders`` (user ids; default: the
    project's coders, ``workflow.project_coder_ids``) marked it done (``done_by``).

    One query: the per-document figures are correlated subqueries, so joining codings and
    statuses cannot multiply each other's counts.
    """
    if coders is None:
        from .workflow import project_coder_ids

        coders = project_coder_ids(project=project)

    def count(model, **filters):
        rows = (
            model.objects.filter(document=OuterRef("pk"), **filters)
            .order_by()
            .values("document")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    state = DocumentStatus.objects.filter(document=OuterRef("pk"), coder=user).values("state")[:1]
    documents: list[Any] = list(
        Document.objects.filter(project=project)
        .defer("text", "metadata")
        .annotate(
            my_codings=count(Annotation, coder=user),
            done_by=count(DocumentStatus, state=DocumentStatus.State.DONE, coder__in=coders),
            my_state=Subquery(state),
            # The opening words name an untitled document; the text itself stays unloaded.
            opening=Substr("text", 1, 80),
        )
        .order_by("order", "id")
    )
    for document in documents:
        document.label = Document(title=document.title, text=document.opening).display_title
    return documents

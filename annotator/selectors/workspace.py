"""Reads and HTML building for the annotation workspace.

The document text is rendered once, on the server, as paragraphs (split on ``\\n``) whose
``data-start`` is their first code point. Inside a paragraph the text is cut at every coding
boundary; each piece is wrapped in one ``<span class="hl hl-c<code> t<track>">`` per code
covering it, so each code draws its own underline at its own depth (see ``TextRenderer``). The
HTML is built with string joins: a template loop over ~10,000 pieces is far too slow, and the
save path re-renders only the paragraphs a change touches.
"""

from bisect import bisect_right
from dataclasses import dataclass

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


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` in code points of every line of the text (empty lines included)."""
    bounds, pos = [], 0
    for line in text.split("\n"):
        bounds.append((pos, pos + len(line)))
        pos += len(line) + 1
    return bounds


def paragraphs_touching(bounds, start: int, end: int) -> range:
    """Indices of the paragraphs a span ``[start, end)`` touches."""
    starts = [b[0] for b in bounds]
    first = bisect_right(starts, start) - 1
    last = bisect_right(starts, max(start, end - 1)) - 1
    return range(max(first, 0), last + 1)


def _by_paragraph(bounds, codings) -> list[list[Coding]]:
    starts = [b[0] for b in bounds]
    per = [[] for _ in bounds]
    for coding in codings:
        first = bisect_right(starts, coding.start) - 1
        last = bisect_right(starts, coding.end - 1) - 1
        for i in range(max(first, 0), last + 1):
            per[i].append(coding)
    return per


def _escape(text: str) -> str:
    """The same five replacements as ``django.utils.html.escape``, without its per-call lazy
    wrapper and with ``str.replace`` (C speed) instead of ``str.translate`` (a dict lookup per
    character): the page escapes ~10,000 pieces and 200,000 characters."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def code_tracks(codings, lo: int, hi: int) -> list[tuple[int, int, int, int]]:
    """The underline track of each code's run inside ``[lo, hi)``: ``(start, end, code_id,
    track)`` sorted by start.

    A run is a maximal stretch covered by one code (its codings merged, touching ones too).
    Each run takes the lowest track free at its start (interval colouring, greedy by start:
    optimal, so a paragraph needs as many tracks as codes ever overlap in it), so a code's
    underline keeps one depth along its run however other codes start and stop around it,
    and two codes on the same characters never share a depth.
    """
    by_code: dict[int, list[tuple[int, int]]] = {}
    for c in codings:
        by_code.setdefault(c.code_id, []).append((max(c.start, lo), min(c.end, hi)))
    runs = []
    for code_id, spans in by_code.items():
        spans.sort()
        cur_s, cur_e = spans[0]
        for s, e in spans[1:]:
            if s <= cur_e:
                cur_e = max(cur_e, e)
            else:
                runs.append((cur_s, cur_e, code_id))
                cur_s, cur_e = s, e
        runs.append((cur_s, cur_e, code_id))
    runs.sort()
    ends: list[int] = []  # per track, where its last run ends
    out = []
    for s, e, code_id in runs:
        for track, last in enumerate(ends):
            if last <= s:
                ends[track] = e
                break
        else:
            track = len(ends)
            ends.append(e)
        out.append((s, e, code_id, track))
    return out


class TextRenderer:
    """Renders paragraphs of one document with the given codings' highlights.

    Each code's run gets an underline track (``code_tracks``); a piece of text covered by some
    codes is wrapped in one ``<span class="hl hl-c<code> t<track>">`` per code, nested by
    track. The tint is clipped to the glyphs (``background-clip: content-box``) and each
    track's underline sits below it at its own depth, so an inner element never paints over an
    outer one's underline. A paragraph whose codings need ``n`` tracks gets class ``r<n>``,
    which gives it the room below its lines (and below its last line, where
    ``content-visibility`` clips) for ``n`` underlines. The CSS for ``t<i>`` and ``r<n>`` is in
    ``_components/_code_styles.html``, one rule per code of the codebook (the most tracks a
    paragraph can need).
    """

    def __init__(self, text: str, *, id_prefix: str | None = "para-"):
        self.text = text
        self.bounds = paragraph_bounds(text)
        self.id_prefix = id_prefix
        self._tag_cache: dict[tuple, str] = {}

    def _open(self, code_id: int, track: int, ids: str) -> str:
        key = (code_id, track, ids)
        tag = self._tag_cache.get(key)
        if tag is None:
            tag = f'<span class="hl hl-c{code_id} t{track}" data-ann="{ids}">'
            self._tag_cache[key] = tag
        return tag

    def paragraph(self, i: int, codings: list[Coding]) -> str:
        start, end = self.bounds[i]
        text = self.text
        ident = f' id="{self.id_prefix}{i}"' if self.id_prefix else ""
        # A line followed directly by another (hard-wrapped text) joins it without a gap; a
        # blank line, which gets no element, ends a paragraph and leaves the margin.
        bounds = self.bounds
        joined = i + 1 < len(bounds) and bounds[i + 1][1] > bounds[i + 1][0]
        css = "para joined" if joined else "para"
        if not codings:
            return f'<p{ident} class="{css}" data-start="{start}">{_escape(text[start:end])}</p>'
        runs = code_tracks(codings, start, end)
        depth = max(r[3] for r in runs) + 1
        parts = [f'<p{ident} class="{css} r{depth}" data-start="{start}">']
        # Sweep the coding boundaries inside the paragraph: the set of codings covering the
        # text changes only there, so each piece between two boundaries is one run of tags.
        opening: dict[int, list] = {}
        closing: dict[int, list] = {}
        for c in codings:
            opening.setdefault(max(c.start, start), []).append(c)
            closing.setdefault(min(c.end, end), []).append(c)
        run_at: dict[int, list] = {}
        for s, _e, code_id, track in runs:
            run_at.setdefault(s, []).append((code_id, track))
        points = sorted(opening.keys() | closing.keys() | {start, end})
        active: dict[int, Coding] = {}
        track_of: dict[int, int] = {}  # code id -> track of its current run
        for a, b in zip(points, points[1:], strict=False):
            for c in closing.get(a, ()):
                active.pop(c.id, None)
            for c in opening.get(a, ()):
                active[c.id] = c
            for code_id, track in run_at.get(a, ()):
                track_of[code_id] = track
            if not active:
                parts.append(_escape(text[a:b]))
                continue
            groups: dict[int, list[int]] = {}
            for c in active.values():
                groups.setdefault(c.code_id, []).append(c.id)
            order = sorted(groups, key=track_of.__getitem__)
            for code_id in order:
                ids = " ".join(map(str, sorted(groups[code_id])))
                parts.append(self._open(code_id, track_of[code_id], ids))
            parts += (_escape(text[a:b]), "</span>" * len(order))
        parts.append("</p>")
        return "".join(parts)

    def paragraphs(self, indices, codings: list[Coding]) -> str:
        """Only the given paragraphs (the fragment a save answers with)."""
        per = _by_paragraph(self.bounds, codings)
        return "".join(self.paragraph(i, per[i]) for i in indices if self._shown(i))

    def document(self, codings: list[Coding]) -> str:
        per = _by_paragraph(self.bounds, codings)
        return "".join(self.paragraph(i, per[i]) for i in range(len(self.bounds)) if self._shown(i))

    def _shown(self, i: int) -> bool:
        # Empty lines separate paragraphs; CSS margins show that, so they get no element.
        start, end = self.bounds[i]
        return end > start


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


def project_documents(*, project, user) -> list[Document]:
    """The project's documents in order, each with the user's own state (``my_state``) and
    number of codings (``my_codings``) and how many coders marked it done (``done_by``).

    One query: the per-document figures are correlated subqueries, so joining codings and
    statuses cannot multiply each other's counts.
    """

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
    documents = list(
        Document.objects.filter(project=project)
        .defer("text", "metadata")
        .annotate(
            my_codings=count(Annotation, coder=user),
            done_by=count(DocumentStatus, state=DocumentStatus.State.DONE),
            my_state=Subquery(state),
            # The opening words name an untitled document; the text itself stays unloaded.
            opening=Substr("text", 1, 80),
        )
        .order_by("order", "id")
    )
    for document in documents:
        document.label = Document(title=document.title, text=document.opening).display_title
    return documents

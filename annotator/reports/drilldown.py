"""The per-document drill-down: each counted coder's codings side by side, disagreements marked.

A disagreement on code c is a maximal run of characters that some counted coders coded with c
and others did not (``annotator.spans.disagreement_runs``, the sweep the curation page uses
too; a coder's overlapping or touching spans act as one). Runs are cut wherever the set of
coders marking them changes, so each carries one "marked by / not marked by" answer, with the
original spans of each side that overlap it.

The columns are built as HTML in Python with every piece of text escaped (``escape``): a
template loop over thousands of pieces is slow, and the markup is a few fixed tags.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from django.utils.html import escape

from .. import spans

SNIPPET_CHARS = 80


@dataclass(frozen=True)
class Disagreement:
    code: str
    start: int
    end: int
    text: str
    marked_by: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]  # coder, overlapping spans
    not_marked_by: tuple[str, ...]

    def summary(self) -> str:
        """E.g. ``Iran [12, 15): alice [12, 40) vs bob (none)``."""
        sides = [f"{coder} " + ", ".join(f"[{s}, {e})" for s, e in spans)
                 for coder, spans in self.marked_by]  # fmt: skip
        sides += [f"{coder} (none)" for coder in self.not_marked_by]
        return f"{self.code} [{self.start}, {self.end}): " + " vs ".join(sides)


# The one interval merger (overlapping or touching intervals become one).
merge = spans.merge


def _covers(merged: list[tuple[int, int]], point: int) -> bool:
    i = bisect_right(merged, (point, float("inf"))) - 1
    return i >= 0 and merged[i][0] <= point < merged[i][1]


def disagreements(text: str, spans_, coders, codes) -> list[Disagreement]:
    """Disagreements among ``coders`` (the counted ones) over ``spans_`` ``(coder, start, end,
    code)``, in code order then text order. Fewer than two coders: none can disagree."""
    coders = list(coders)
    raw: dict[tuple[str, str], list] = defaultdict(list)
    for coder, start, end, code in spans_:
        raw[code, coder].append((start, end))
    found = []
    for code in codes:
        code_spans = [(c, s, e) for c in coders for s, e in raw.get((code, c), ())]
        for run in spans.disagreement_runs(code_spans, coders=coders):
            found.append(_disagreement(text, code, (run.start, run.end, run.coders), coders, raw))
    return found


def _disagreement(text, code, run, coders, raw) -> Disagreement:
    start, end, marking = run
    snippet = text[start:end]
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[: SNIPPET_CHARS - 1] + "…"
    sides = tuple(
        (c, tuple(sorted((s, e) for s, e in raw[code, c] if s < end and e > start)))
        for c in marking
    )
    return Disagreement(
        code, start, end, snippet, sides, tuple(c for c in coders if c not in marking)
    )


def column_html(text: str, spans, coder: str, codes, code_ids, found) -> str:
    """``text`` with ``coder``'s spans highlighted (one nested ``span.rhl`` per code, in code
    order, class ``rc-<code id>``) and every disagreement run wrapped in ``<mark>``."""
    mine = [(s, e, code) for c, s, e, code in spans if c == coder and code in code_ids]
    rank = {code: i for i, code in enumerate(codes)}
    cuts = {0, len(text)}
    for s, e, _ in mine:
        cuts.update((s, e))
    for d in found:
        cuts.update((d.start, d.end))
    points = sorted(p for p in cuts if 0 <= p <= len(text))
    marks = merge((d.start, d.end) for d in found)
    parts = []
    for a, b in zip(points, points[1:], strict=False):
        active = sorted({code for s, e, code in mine if s <= a < e}, key=rank.__getitem__)
        piece: str = escape(text[a:b])
        for code in reversed(active):
            piece = f'<span class="rhl rc-{code_ids[code]}">{piece}</span>'
        if _covers(marks, a):
            piece = f'<mark class="disagree">{piece}</mark>'
        parts.append(piece)
    return "".join(parts)

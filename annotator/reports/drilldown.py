"""The per-document drill-down: each counted coder's codings side by side, disagreements marked.

A disagreement on code c is a maximal run of characters that some counted coders coded with c
and others did not (``annotator.spans.disagreement_runs``, the sweep the curation page uses
too; a coder's overlapping or touching spans act as one). Runs are cut wherever the set of
coders marking them changes, so each carries one "marked by / not marked by" answer, with the
original spans of each side that overlap it.

The columns are rendered as the workspace's side-by-side view renders its columns: the text's
plain paragraphs (``selectors.workspace.text_html``) and each coder's codings as data
(``column_data``) that ``static/annotator/js/marks.js`` paints, with the disagreement runs
(``disagreement_data``) framed by a dashed line in every column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

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


def column_data(spans_, coder: str, code_ids) -> list[int]:
    """``coder``'s spans in the report's codes as the workspace's page script paints them
    (``selectors.workspace.coding_data``: flat ``[id, code id, start, end, ...]``, the id being
    the span's rank: the drill-down lists no codings under a click)."""
    mine = sorted(
        (s, e, code_ids[code]) for c, s, e, code in spans_ if c == coder and code in code_ids
    )
    return [n for i, (s, e, code) in enumerate(mine) for n in (i, code, s, e)]


def disagreement_data(found) -> list[int]:
    """The characters where the counted coders disagree on some code, as flat ``[start, end,
    ...]`` runs (touching runs merged): the page frames them in every column."""
    return [n for run in merge((d.start, d.end) for d in found) for n in run]

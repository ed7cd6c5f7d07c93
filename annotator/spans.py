"""Spans of text: the one place for every rule about them (pure Python, no Django).

Offsets are Unicode code points into the document's normalised text (``normalise_text``),
half-open ``[start, end)``. Everything that checks, stores, merges or compares spans calls
this module, so the workspace, the API, the admin, the imports, the curation page, the merge
assistant and the agreement drill-down apply the same rules:

- ``span_error`` / ``check_coding_span``: is ``[start, end)`` a span of the text? (the one validator,
  from ``agreement.spans``, which the agreement library uses too)
- ``selection_span``: what a raw selection stores as (trim whitespace, snap to words)
- ``merge``: union of overlapping or touching intervals (``agreement.spans.merge_intervals``)
- ``coverage_runs``: which of the given coders marked each stretch of text (the one sweep);
  ``disagreement_runs`` and ``agreed_runs`` are the two questions asked of it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .agreement.spans import SpanError, merge_intervals, span_error

__all__ = [
    "WHITESPACE_ONLY",
    "Run",
    "SpanError",
    "agreed_runs",
    "check_coding_span",
    "coverage_runs",
    "disagreement_runs",
    "merge",
    "normalise_text",
    "selection_span",
    "span_error",
]

WHITESPACE_ONLY = "The selection holds only whitespace."

# Characters that glue a word together when they sit between two word characters
# ("Israel’s", "don't"); hyphens and dashes do not, so "Russo-Israeli" is two words.
_INNER_WORD = frozenset("'’")


def normalise_text(text: str) -> str:
    """NFC-normalise and use LF newlines: the form every offset refers to."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def check_coding_span(text: str, start, end) -> None:
    """Raise ``SpanError`` unless ``[start, end)`` is a span of ``text`` holding more than
    whitespace. Offsets are kept as given (imports, copies of existing codings)."""
    error = span_error(start, end, len(text))
    if error:
        raise error
    if text[start:end].isspace():
        raise SpanError("end_offset", WHITESPACE_ONLY, "whitespace")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _joins(text: str, i: int) -> bool:
    """True when positions ``i - 1`` and ``i`` belong to the same word."""
    if i <= 0 or i >= len(text):
        return False
    left, right = text[i - 1], text[i]
    if _is_word(left) and _is_word(right):
        return True
    # An apostrophe between letters: "Israel|’s" and "Israel’|s" both join.
    if left in _INNER_WORD and i >= 2 and _is_word(text[i - 2]) and _is_word(right):
        return True
    return right in _INNER_WORD and i + 1 < len(text) and _is_word(left) and _is_word(text[i + 1])


def selection_span(text: str, start, end, *, words: bool) -> tuple[int, int]:
    """The span a selection ``[start, end)`` of ``text`` stores as.

    Surrounding whitespace is trimmed; with ``words`` the span then grows outward to whole
    words (apostrophes between letters join a word, hyphens split it). Raises ``SpanError``
    for offsets that are not a span of the text, or a selection of whitespace only.
    """
    check_coding_span(text, start, end)
    start, end = int(start), int(end)
    while text[start].isspace():
        start += 1
    while text[end - 1].isspace():
        end -= 1
    if words:
        while _joins(text, start):
            start -= 1
        while _joins(text, end):
            end += 1
    return start, end


def merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open intervals; overlapping or touching ones become one, in order."""
    pairs = np.array(list(intervals), dtype=np.int64).reshape(-1, 2)
    _, start, end = merge_intervals(np.zeros(len(pairs), np.int64), pairs[:, 0], pairs[:, 1])
    return list(zip(start.tolist(), end.tolist(), strict=True))


@dataclass(frozen=True)
class Run:
    """A maximal stretch ``[start, end)`` marked by exactly ``coders`` (in the given order)."""

    start: int
    end: int
    coders: tuple


def coverage_runs(spans: Iterable[tuple[Any, int, int]], *, coders: Sequence) -> list[Run]:
    """Which coders marked each stretch of text: the sweep behind every comparison of coders.

    Input: ``spans`` of ``(coder, start, end)`` (one code's spans); ``coders`` lists the
    coders who count, and only their spans are read (the caller states its rule: the
    finished coders for agreement, everyone who coded the document for curation).
    Returns the maximal runs in text order, each with the non-empty tuple of coders marking
    every character of it (in the order of ``coders``); a run ends wherever that set
    changes. A coder's overlapping or touching spans act as their union.
    """
    rank = {coder: i for i, coder in enumerate(coders)}
    events: dict[int, list[int]] = {}
    for coder, start, end in spans:
        if coder in rank:
            i = rank[coder]
            events.setdefault(start, [0] * len(rank))[i] += 1
            events.setdefault(end, [0] * len(rank))[i] -= 1
    depth = [0] * len(rank)
    runs: list[Run] = []
    points = sorted(events)
    for left, right in zip(points, points[1:], strict=False):
        for i, step in enumerate(events[left]):
            depth[i] += step
        marking = tuple(coders[i] for i, d in enumerate(depth) if d > 0)
        if not marking:
            continue
        if runs and runs[-1].end == left and runs[-1].coders == marking:
            runs[-1] = Run(runs[-1].start, right, marking)
        else:
            runs.append(Run(left, right, marking))
    return runs


def disagreement_runs(spans: Iterable[tuple[Any, int, int]], *, coders: Sequence) -> list[Run]:
    """The runs that some of ``coders`` marked and others did not (none with fewer than two)."""
    if len(coders) < 2:
        return []
    return [run for run in coverage_runs(spans, coders=coders) if len(run.coders) < len(coders)]


def agreed_runs(
    spans: Iterable[tuple[Any, int, int]], *, coders: Sequence, min_coders: int
) -> list[Run]:
    """Maximal stretches each character of which at least ``min_coders`` of ``coders`` marked;
    a run's ``coders`` are all who marked any part of it (in the order of ``coders``)."""
    rank = {coder: i for i, coder in enumerate(coders)}
    out: list[Run] = []
    for run in coverage_runs(spans, coders=coders):
        if len(run.coders) < min_coders:
            continue
        if out and out[-1].end == run.start:
            joined = sorted(set(out[-1].coders) | set(run.coders), key=rank.__getitem__)
            out[-1] = Run(out[-1].start, run.end, tuple(joined))
        else:
            out.append(run)
    return out

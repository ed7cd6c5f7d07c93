"""From spans to units: merging, coverage sweeps, tokenisation and per-code presence.

Offsets are half-open ``[start, end)`` Unicode code points. Per code c, a coder's (unit) value is
1 if the coder applied c anywhere in the unit, 0 if the coder coded the document without
applying c there, and missing if the coder does not count for the document (not assigned or
not finished): unassigned work is never 0. Same-code spans of one coder that overlap or touch
are merged (union) first.

Token level: one shared tokenisation for every coder, the matches of the regular expression
``\\w+|[^\\w\\s]`` (Python ``re``, Unicode): a maximal run of word characters is one token, every
other non-whitespace character is a token of its own, whitespace belongs to no token. A token
is positive for c if any of its characters is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from numbers import Integral
from typing import Any

import numpy as np

TOKEN_PATTERN = r"\w+|[^\w\s]"  # noqa: S105 (a regular expression, not a password)
_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s")


def merge_intervals(
    key: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of overlapping or touching intervals that share a key (vectorised).

    Input: equally long int arrays; intervals ``[start, end)`` with ``0 <= start < end``.
    Returns ``(key, start, end)`` of the merged intervals, sorted by key then start.
    """
    if len(key) == 0:
        return key.astype(np.int64), start.astype(np.int64), end.astype(np.int64)
    order = np.lexsort((start, key))
    k, s, e = key[order], start[order].astype(np.int64), end[order].astype(np.int64)
    # Shift every key's intervals onto its own stretch of one line, so a running maximum of
    # the ends finds the runs of overlapping intervals without mixing keys.
    rank = np.cumsum(np.r_[False, k[1:] != k[:-1]])
    offset = rank * (int(e.max()) + 1)
    run_end = np.maximum.accumulate(e + offset)
    first = np.flatnonzero(np.r_[True, (s + offset)[1:] > run_end[:-1]])
    last = np.r_[first[1:], len(s)] - 1
    return k[first], s[first], run_end[last] - offset[last]


def coverage_histogram(
    group: np.ndarray, start: np.ndarray, end: np.ndarray, n_groups: int, depth: int
) -> np.ndarray:
    """Lengths covered by exactly j intervals, per group: an interval sweep.

    Input: intervals of several coders per group, each coder's intervals already disjoint.
    Returns a float array ``(n_groups, depth + 1)``; column j >= 1 holds the number of
    positions covered by exactly j coders. Column 0 is left 0 (the caller knows the lengths).
    """
    hist = np.zeros(n_groups * (depth + 1))
    if len(group):
        span = int(end.max()) + 1
        pos = np.concatenate([group * span + start, group * span + end])
        step = np.concatenate([np.ones(len(start), np.int64), -np.ones(len(end), np.int64)])
        order = np.argsort(pos, kind="stable")
        pos, level = pos[order], np.cumsum(step[order])[:-1]
        seg = np.diff(pos)
        keep = (seg > 0) & (level > 0)
        idx = (pos[:-1][keep] // span) * (depth + 1) + level[keep]
        hist += np.bincount(idx, weights=seg[keep], minlength=len(hist))
    return hist.reshape(n_groups, depth + 1)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _char_classes(points: np.ndarray) -> np.ndarray:
    """0 whitespace, 1 word character, 2 other, decided by the same regular expressions."""
    seen = np.zeros(0x110000, dtype=bool)
    seen[points] = True
    table = np.zeros(0x110000, dtype=np.int8)
    for cp in np.flatnonzero(seen).tolist():
        ch = chr(cp)
        table[cp] = 1 if _WORD.fullmatch(ch) else 0 if _SPACE.fullmatch(ch) else 2
    classes: np.ndarray = table[points]
    return classes


def token_bounds(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tokens of several texts at once: (starts, ends, per-text token counts).

    Starts and ends are offsets into the concatenation of the texts; tokens never cross texts.
    """
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    if lengths.sum() == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(len(texts), dtype=np.int64)
    cls = _char_classes(_code_points("".join(texts)))
    word, other = cls == 1, cls == 2
    prev_word, next_word = np.r_[False, word[:-1]], np.r_[word[1:], False]
    ends_of_texts = np.cumsum(lengths)
    firsts, lasts = (ends_of_texts - lengths)[lengths > 0], ends_of_texts[lengths > 0] - 1
    prev_word[firsts] = False
    next_word[lasts] = False
    starts = np.flatnonzero(other | (word & ~prev_word))
    ends = np.flatnonzero(other | (word & ~next_word)) + 1
    counts = np.diff(np.r_[0, np.searchsorted(starts, ends_of_texts)])
    return starts, ends, counts


def tokenize(text: str) -> np.ndarray:
    """Token offsets of one text: an ``(n, 2)`` int array of half-open ``[start, end)``.

    Rule: the matches of ``\\w+|[^\\w\\s]`` (Python ``re``, Unicode), computed with numpy from a
    per-character classification that uses those same regular expressions.
    Degenerate input: an empty or all-whitespace text gives a ``(0, 2)`` array.
    """
    starts, ends, _ = token_bounds([text])
    return np.stack([starts, ends], axis=1)


def _code_spans(
    spans: Iterable[Sequence[Any]], coders: Sequence[str], code: Any, length: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    index = {c: i for i, c in enumerate(coders)}
    rows = []
    for coder, start, end, span_code in spans:
        check_span(start, end, length)
        if span_code == code and coder in index:
            rows.append((index[coder], start, end))
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return arr[:, 0], arr[:, 1], arr[:, 2]


class SpanError(ValueError):
    """A span that is not one of the text. ``field`` (``start_offset`` or ``end_offset``) and
    ``message`` are for people entering offsets; ``kind`` is ``type``, ``order`` or ``range``."""

    def __init__(self, field: str, message: str, kind: str):
        super().__init__(message)
        self.field, self.message, self.kind = field, message, kind


def span_error(start: Any, end: Any, length: int, begin: int = 0) -> SpanError | None:
    """Why ``[start, end)`` is not a span of ``[begin, begin + length)``, or None if it is.

    The one offset rule of Annotator (services, imports, the agreement library): offsets are
    integers (not bools), ``begin <= start < end <= begin + length``.
    """
    for name, value in (("start_offset", start), ("end_offset", end)):
        if isinstance(value, bool) or not isinstance(value, Integral):
            return SpanError(name, "Must be a whole number of code points.", "type")
    if start < begin:
        return SpanError("start_offset", f"Must be {begin} or more.", "range")
    if start >= end:
        return SpanError("end_offset", "Must be after start_offset.", "order")
    if end > begin + length:
        return SpanError(
            "end_offset", f"Must not pass the end of the text ({begin + length}).", "range"
        )
    return None


def check_span(start: Any, end: Any, length: int, begin: int = 0) -> None:
    """Raise ValueError unless ``begin <= start < end <= begin + length`` (integers)."""
    error = span_error(start, end, length, begin)
    if error is None:
        return
    if error.kind == "type":
        raise ValueError(f"span offsets must be integers, got [{start!r}, {end!r})")
    if error.kind == "order":
        raise ValueError(f"span [{start}, {end}) has end <= start")
    raise ValueError(
        f"span [{start}, {end}) lies outside the continuum [{begin}, {begin + length})"
    )


def character_presence(
    spans: Iterable[Sequence[Any]], *, length: int, code: Any, coders: Sequence[str]
) -> np.ndarray:
    """Per-character presence of one code in one document: coders x characters, 0/1.

    Input: ``spans`` of ``(coder, start, end, code)``; ``coders`` lists the coders who count
    for the document (spans of other coders are ignored). Row i is 1 where coder i applied
    ``code`` (overlapping spans simply union). Degenerate input: length 0 gives zero columns.
    Invalid spans (end <= start, outside ``[0, length)``) raise ValueError.
    """
    coder, start, end = _code_spans(spans, coders, code, length)
    diff = np.zeros((len(coders), length + 1), dtype=np.int32)
    np.add.at(diff, (coder, start), 1)
    np.add.at(diff, (coder, end), -1)
    presence: np.ndarray = (np.cumsum(diff, axis=1)[:, :length] > 0).astype(np.uint8)
    return presence


def token_presence(
    spans: Iterable[Sequence[Any]], *, text: str, code: Any, coders: Sequence[str]
) -> np.ndarray:
    """Per-token presence of one code in one document: coders x tokens, 0/1.

    A token (see :func:`tokenize`) is 1 for a coder if any of its characters is marked with
    ``code`` by that coder. Input as :func:`character_presence`, with the document's text.
    Degenerate input: a text without tokens gives zero columns.
    """
    chars = character_presence(spans, length=len(text), code=code, coders=coders)
    bounds = tokenize(text)
    marked = np.concatenate([np.zeros((len(coders), 1), np.int64), np.cumsum(chars, axis=1)], 1)
    presence: np.ndarray = ((marked[:, bounds[:, 1]] - marked[:, bounds[:, 0]]) > 0).astype(
        np.uint8
    )
    return presence


def presence_data(
    documents: Iterable[Any], *, code: Any, coders: Sequence[str], level: str = "character"
) -> np.ndarray:
    """Reliability data for one code over several documents: coders x units, NaN missing.

    Input: objects with ``length``, ``coders`` (who counts for the document), ``spans`` of
    ``(coder, start, end, code)`` and, for ``level="token"``, ``text``. A coder who does not
    count for a document is NaN (missing) on all its units, never 0. The result can be passed
    straight to :func:`krippendorff_alpha`. Degenerate input: no documents gives zero columns;
    a document without text at the token level raises ValueError.
    """
    if level not in ("character", "token"):
        raise ValueError("level must be 'character' or 'token'")
    blocks = []
    for doc in documents:
        counted = [c for c in coders if c in set(doc.coders)]
        if level == "character":
            part = character_presence(doc.spans, length=doc.length, code=code, coders=counted)
        else:
            if doc.text is None:
                raise ValueError(f"document {doc.id} has no text; the token level needs it")
            part = token_presence(doc.spans, text=doc.text, code=code, coders=counted)
        block = np.full((len(coders), part.shape[1]), np.nan)
        rows = [coders.index(c) for c in counted]
        block[rows] = part
        blocks.append(block)
    if not blocks:
        return np.zeros((len(coders), 0))
    return np.concatenate(blocks, axis=1)

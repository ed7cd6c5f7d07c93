"""Offset units: converting our code point offsets to what another tool counts, and back.

``codepoint``: Unicode code points, what Annotator stores (Python ``str`` indices).
``utf16``: UTF-16 code units, what JavaScript string indices count (doccano's default, and any
browser tool): a character outside the Basic Multilingual Plane (most emoji) counts 2.
``grapheme``: extended grapheme clusters (``regex``'s ``\\X``), what a reader sees as one
character: a flag emoji (two regional indicators) counts 1 (doccano's "grapheme mode").

A span boundary that falls inside a grapheme cluster (we allow it: a span may cover one half
of a flag) has no grapheme offset: the start rounds down and the end up to the cluster, so the
exported span covers at least the coded text. UTF-16 offsets read from a file that fall between
the two halves of a surrogate pair are refused.
"""

from bisect import bisect_left, bisect_right

import regex

UNITS = ("codepoint", "utf16", "grapheme")
UNIT_LABELS = {
    "codepoint": "Unicode code points (Python, brat, REFI-QDA, Label Studio)",
    "utf16": "UTF-16 code units (JavaScript; doccano's default)",
    "grapheme": "grapheme clusters (doccano's grapheme mode)",
}
_CLUSTER = regex.compile(r"\X")


class UnitMap:
    """Offsets of one text in one unit. ``to_unit``/``from_unit`` convert a code point offset
    to the unit and back; ``from_unit`` returns None for an offset that is no boundary."""

    def __init__(self, text: str, unit: str):
        if unit not in UNITS:
            raise ValueError(f"unknown offset unit {unit!r}; use one of {', '.join(UNITS)}.")
        self.unit = unit
        self.length = len(text)
        # bounds[i] = code point offset of unit boundary i (None: the identity)
        self.bounds: list[int | None] | None = None
        if unit == "utf16" and not text.isascii() and any(ord(c) > 0xFFFF for c in text):
            bounds: list[int | None] = []
            position = 0
            for char in text:
                bounds.append(position)
                if ord(char) > 0xFFFF:
                    bounds.append(None)  # the middle of a surrogate pair
                position += 1
            bounds.append(position)
            self.bounds = bounds
        elif unit == "grapheme" and not text.isascii():
            starts = [m.start() for m in _CLUSTER.finditer(text)]
            if len(starts) != len(text):
                self.bounds = [*starts, len(text)]
        if self.bounds is not None:
            self._points = [b for b in self.bounds if b is not None]
            self._index = [i for i, b in enumerate(self.bounds) if b is not None]

    @property
    def unit_length(self) -> int:
        return self.length if self.bounds is None else len(self.bounds) - 1

    def to_unit(self, offset: int, *, end: bool = False) -> int:
        if self.bounds is None:
            return offset
        k = bisect_left(self._points, offset) if end else bisect_right(self._points, offset) - 1
        return self._index[k]

    def from_unit(self, offset: int) -> int | None:
        if self.bounds is None:
            return offset if 0 <= offset <= self.length else None
        if not 0 <= offset < len(self.bounds):
            return None
        return self.bounds[offset]

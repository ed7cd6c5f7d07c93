"""Workspace rules applied to a raw selection before it becomes a coding.

The browser sends the code points it saw selected; the server decides what is stored, so the
workspace, the API and commands agree: surrounding whitespace is always trimmed, and with word
granularity the selection grows outward to whole words.
"""

from django.core.exceptions import ValidationError

from ..models import Document, Project

# Characters that glue a word together when they sit between two word characters
# ("Israel’s", "don't"); hyphens and dashes do not, so "Russo-Israeli" is two words.
_INNER_WORD = frozenset("'’")


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


def selection_normalise(*, document: Document, start, end) -> tuple[int, int]:
    """The span ``[start, end)`` (code points) that a selection stores as.

    Raises ``ValidationError`` for offsets that are not whole numbers, fall outside the text,
    do not have start before end, or select only whitespace.
    """
    errors = {}
    for name, value in (("start_offset", start), ("end_offset", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = "Must be a whole number of code points."
    if errors:
        raise ValidationError(errors)
    if start < 0:
        raise ValidationError({"start_offset": "Must be 0 or more."})
    if start >= end:
        raise ValidationError({"end_offset": "Must be after start_offset."})
    if end > document.length:
        raise ValidationError(
            {"end_offset": f"Must not pass the end of the text ({document.length})."}
        )
    text = document.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValidationError({"end_offset": "The selection holds only whitespace."})
    if document.project.granularity == Project.Granularity.WORD:
        while _joins(text, start):
            start -= 1
        while _joins(text, end):
            end += 1
    return start, end

"""Workspace rules applied to a raw selection before it becomes a coding.

The rule itself lives in ``annotator.spans.selection_span`` and is applied by the coding
service (``services.annotations.coding_span``) on every path; this name stays for callers that
want the stored span of a selection without storing it.
"""

from ..models import Document
from .annotations import coding_span


def selection_normalise(*, document: Document, start, end) -> tuple[int, int]:
    """The span ``[start, end)`` (code points) that a selection stores as.

    Raises ``ValidationError`` for offsets that are not whole numbers, fall outside the text,
    do not have start before end, or select only whitespace.
    """
    return coding_span(document=document, start_offset=start, end_offset=end)

"""Writes. Every behaviour reachable from the browser, the API and a command lives here once.

Services are keyword-only, transactional, and raise ``django.core.exceptions.ValidationError``
with field messages on bad input.
"""

from .annotations import (
    annotation_bulk_create,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from .documents import document_create, document_status_set, document_update

__all__ = [
    "annotation_bulk_create",
    "annotation_create",
    "annotation_delete",
    "annotation_update",
    "document_create",
    "document_status_set",
    "document_update",
]

from .annotations import Annotation, DocumentStatus
from .codebooks import Code, Codebook
from .documents import Document
from .projects import Membership, Project

__all__ = [
    "Annotation",
    "Code",
    "Codebook",
    "Document",
    "DocumentStatus",
    "Membership",
    "Project",
]

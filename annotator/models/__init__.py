from .analysis import CodingProvenance
from .annotations import Annotation, DocumentStatus
from .codebooks import Code, Codebook
from .documents import Document
from .projects import Membership, Project
from .setup import DocumentMemo, DocumentOriginal, Invitation
from .versions import CodebookChange, CodebookSeen, CodebookVersion
from .workflow import Assignment, Curation, CurationNote, GoldProvenance

__all__ = [
    "Annotation",
    "Assignment",
    "Curation",
    "CurationNote",
    "GoldProvenance",
    "Code",
    "CodingProvenance",
    "Codebook",
    "CodebookChange",
    "CodebookSeen",
    "CodebookVersion",
    "Document",
    "DocumentMemo",
    "DocumentOriginal",
    "Invitation",
    "DocumentStatus",
    "Membership",
    "Project",
]

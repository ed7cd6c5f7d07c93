import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Document, DocumentStatus, Project
from ..spans import normalise_text  # the one text normaliser (NFC, LF newlines)

# Fields that may change after creation. ``text`` (and what derives from it) never may.
EDITABLE_FIELDS = (
    "title",
    "source",
    "author",
    "url",
    "published",
    "external_id",
    "metadata",
    "order",
)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    """Words of a text: runs of non-whitespace (what the frequency table divides by)."""
    return len(text.split())


@transaction.atomic
def document_create(*, project: Project, text: str, **fields) -> Document:
    """Create a document; its text is normalised here once and is immutable afterwards."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"text": "The document text is empty."})
    text = normalise_text(text)
    digest = text_sha256(text)
    if Document.objects.filter(project=project, text_sha256=digest).exists():
        raise ValidationError({"text": "This project already has a document with the same text."})
    document = Document(
        project=project,
        text=text,
        text_sha256=digest,
        length=len(text),
        word_count=word_count(text),
        **fields,
    )
    document.full_clean(exclude=["text_sha256", "length"])
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        raise ValidationError(
            {"text": "This project already has a document with the same text."}
        ) from None
    return document


@transaction.atomic
def document_update(*, document: Document, **fields) -> Document:
    """Change a document's metadata. Changing its text is refused: codings point into it."""
    if "text" in fields and fields.pop("text") != document.text:
        raise ValidationError(
            {"text": "A document's text cannot change after import: codings point into it."}
        )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    for name, value in fields.items():
        setattr(document, name, value)
    document.full_clean(exclude=["text_sha256", "length"])
    document.save(update_fields=[*fields] or None)
    return document


@transaction.atomic
def document_status_set(*, document: Document, coder, state: str | None) -> DocumentStatus | None:
    """Set a coder's status on a document; ``None`` resets it to "not started"."""
    if state is None:
        DocumentStatus.objects.filter(document=document, coder=coder).delete()
        return None
    if state not in DocumentStatus.State.values:
        raise ValidationError({"state": f"Unknown status {state!r}."})
    status, _ = DocumentStatus.objects.update_or_create(
        document=document, coder=coder, defaults={"state": state}
    )
    return status

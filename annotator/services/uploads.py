"""Document uploads that keep the original file, and coders' memos on documents.

``documents_upload`` converts each file (``services.conversion``), creates its document through
``document_create`` (which normalises the text once) and keeps the original file beside it.
All files of one upload are written in one transaction, or none is.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Document, DocumentMemo, DocumentOriginal, Project
from .conversion import convert
from .documents import document_create, document_update

MAX_MEMO = 20_000


def _read(upload) -> bytes:
    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    if getattr(upload, "size", 0) > limit:
        raise ValidationError(
            f"{upload.name}: the file is larger than the limit of {limit:,} bytes."
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            f"{upload.name}: the file is larger than the limit of {limit:,} bytes."
        )
    return data


@transaction.atomic
def documents_upload(*, project: Project, files, user) -> list[Document]:
    """One document per uploaded file (``.txt``, ``.pdf``, ``.docx``, ``.html``, ``.md``); the
    title is the one the file states, else the file name without its extension."""
    if not files:
        raise ValidationError({"files": "Choose at least one file."})
    created = []
    for upload in files:
        filename = upload.name.rsplit("/", 1)[-1]
        data = _read(upload)
        converted = convert(filename=filename, data=data)
        title = converted.title or filename.rsplit(".", 1)[0]
        try:
            document = document_create(
                project=project,
                text=converted.text,
                title=title[:500],
                order=Document.objects.filter(project=project).count(),
            )
        except ValidationError as exc:
            raise ValidationError(f"{filename}: {' '.join(exc.messages)}") from None
        DocumentOriginal.objects.create(
            document=document,
            filename=filename[:255],
            content_type=converted.content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            uploaded_by=user,
        )
        created.append(document)
    return created


@transaction.atomic
def document_memo_set(*, document: Document, coder, text: str) -> DocumentMemo | None:
    """Set the coder's own memo on a document; an empty text deletes it."""
    text = (text or "").strip()
    if len(text) > MAX_MEMO:
        raise ValidationError({"text": f"A memo has at most {MAX_MEMO:,} characters."})
    if not text:
        DocumentMemo.objects.filter(document=document, coder=coder).delete()
        return None
    memo, _ = DocumentMemo.objects.update_or_create(
        document=document, coder=coder, defaults={"text": text}
    )
    return memo


def document_memos_visible(*, document: Document, user, sees_all: bool):
    """The memos ``user`` may read: their own, or every coder's when ``sees_all`` (curators and
    managers; blind coding hides other coders' memos from annotators)."""
    memos = DocumentMemo.objects.filter(document=document).select_related("coder")
    return memos if sees_all else memos.filter(coder=user)


def check_metadata(value) -> dict:
    """A flat object of text keys to text, number, true/false or null values."""
    if not isinstance(value, dict):
        raise ValidationError('Enter a JSON object, like {"desk": "World"}.')
    for key, item in value.items():
        if not key.strip():
            raise ValidationError("A metadata key is empty.")
        if not (item is None or isinstance(item, str | int | float | bool)):
            raise ValidationError(
                f"The value of “{key}” must be text, a number, true/false or null."
            )
    return value


METADATA_FIELDS = ("title", "source", "author", "url", "published", "external_id", "metadata")


def document_metadata_update(*, document: Document, **fields) -> Document:
    """Change a document's metadata (managers); its text never changes."""
    unknown = set(fields) - set(METADATA_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    if "metadata" in fields:
        try:
            fields["metadata"] = check_metadata(fields["metadata"])
        except ValidationError as exc:
            raise ValidationError({"metadata": exc.messages}) from None
    for name in ("title", "source", "author", "url", "external_id"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return document_update(document=document, **fields)

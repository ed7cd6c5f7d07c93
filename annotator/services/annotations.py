from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Annotation, Code, Document, DocumentStatus


def _validate(*, document: Document, code: Code, start_offset, end_offset) -> None:
    errors = {}
    if code.codebook_id != document.project.codebook_id:
        errors["code"] = "This code does not belong to the project's codebook."
    elif not code.is_active:
        errors["code"] = "This code is inactive."
    for name, value in (("start_offset", start_offset), ("end_offset", end_offset)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = "Must be a whole number of code points."
    if not errors.keys() & {"start_offset", "end_offset"}:
        if start_offset < 0:
            errors["start_offset"] = "Must be 0 or more."
        elif start_offset >= end_offset:
            errors["end_offset"] = "Must be after start_offset."
        elif end_offset > document.length:
            errors["end_offset"] = f"Must not pass the end of the text ({document.length})."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def annotation_create(
    *, document: Document, coder, code: Code, start_offset: int, end_offset: int, memo: str = ""
) -> tuple[Annotation, bool]:
    """Store one coding; returns ``(annotation, created)``.

    Idempotent: the same (document, coder, code, start, end) twice gives one row. The coder's
    status on the document becomes "in progress" unless it is already set.
    """
    _validate(document=document, code=code, start_offset=start_offset, end_offset=end_offset)
    annotation, created = Annotation.objects.get_or_create(
        document=document,
        coder=coder,
        code=code,
        start_offset=start_offset,
        end_offset=end_offset,
        defaults={"memo": memo or ""},
    )
    if created:
        DocumentStatus.objects.get_or_create(
            document=document, coder=coder, defaults={"state": DocumentStatus.State.IN_PROGRESS}
        )
    return annotation, created


@transaction.atomic
def annotation_update(*, annotation: Annotation, memo: str) -> Annotation:
    if not isinstance(memo, str):
        raise ValidationError({"memo": "Must be text."})
    if len(memo) > 10_000:
        raise ValidationError({"memo": "A memo is at most 10,000 characters."})
    annotation.memo = memo
    annotation.save(update_fields=["memo", "updated_at"])
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, user) -> None:
    """Delete a coding. Only its coder may: curators view others' codings, they do not edit them."""
    if annotation.coder_id != user.pk:
        raise ValidationError("Only the coder who made a coding can remove it.")
    annotation.delete()

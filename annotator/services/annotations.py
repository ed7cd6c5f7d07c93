from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Annotation, Code, Document, DocumentStatus
from .codebooks import latest_version


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
        defaults={"memo": memo or "", "codebook_version": latest_version(code.codebook_id)},
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


_BULK_ITEM_FIELDS = {"code", "start_offset", "end_offset", "memo"}


@transaction.atomic
def annotation_bulk_create(*, document: Document, coder, items) -> tuple[list[Annotation], int]:
    """Store many codings of one coder on one document, all or nothing.

    ``items`` is a sequence of mappings with ``code`` (a ``Code``), ``start_offset``,
    ``end_offset`` and optionally ``memo``. Each is validated exactly as ``annotation_create``
    does; any invalid item refuses the whole batch with errors keyed ``items.<index>.<field>``.
    Returns ``(annotations, created_count)``: one annotation per item, in item order, existing
    rows reused as ``annotation_create`` does (so a batch may be re-sent safely).
    """
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        prefix = f"items.{index}"
        if not isinstance(item, Mapping):
            errors[prefix] = ["Must be an object."]
            continue
        for name in sorted(set(item) - _BULK_ITEM_FIELDS):
            errors[f"{prefix}.{name}"] = ["Unknown field."]
        missing = sorted({"code", "start_offset", "end_offset"} - set(item))
        for name in missing:
            errors[f"{prefix}.{name}"] = ["This field is required."]
        if missing:
            continue
        if not isinstance(item.get("memo", ""), str):
            errors[f"{prefix}.memo"] = ["Must be text."]
        try:
            _validate(
                document=document,
                code=item["code"],
                start_offset=item["start_offset"],
                end_offset=item["end_offset"],
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"{prefix}.{name}"] = messages
    if errors:
        raise ValidationError(errors)
    if not items:
        return [], 0

    def key(code_id, start, end):
        return (code_id, start, end)

    # One read of the coder's existing codings on this document instead of one per item.
    existing = {
        key(code_id, start, end): pk
        for pk, code_id, start, end in Annotation.objects.filter(
            document=document, coder=coder
        ).values_list("pk", "code_id", "start_offset", "end_offset")
    }
    new: dict[tuple, Annotation] = {}
    version = latest_version(document.project.codebook_id)
    for item in items:
        k = key(item["code"].pk, item["start_offset"], item["end_offset"])
        if k not in existing and k not in new:
            new[k] = Annotation(
                document=document,
                coder=coder,
                code=item["code"],
                start_offset=item["start_offset"],
                end_offset=item["end_offset"],
                memo=item.get("memo", ""),
                codebook_version=version,
            )
    try:
        # A savepoint so that a concurrent insert of the same coding is reported, not a 500.
        with transaction.atomic():
            Annotation.objects.bulk_create(new.values(), batch_size=1000)
    except IntegrityError:
        raise ValidationError(
            "Some of these codings were stored concurrently; send the batch again."
        ) from None
    if new:
        DocumentStatus.objects.get_or_create(
            document=document, coder=coder, defaults={"state": DocumentStatus.State.IN_PROGRESS}
        )
    by_key = {k: a.pk for k, a in new.items()} | existing
    ordered_ids = [
        by_key[key(item["code"].pk, item["start_offset"], item["end_offset"])] for item in items
    ]
    rows = Annotation.objects.select_related("code", "coder").in_bulk(ordered_ids)
    for row in rows.values():
        row.document = document  # already loaded; spares a query (and its text) per row
    return [rows[pk] for pk in ordered_ids], len(new)

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .. import spans
from ..models import Annotation, Code, Document, DocumentStatus, Project
from .codebooks import latest_version

MEMO_MAX = 10_000


def _code_error(document: Document, code: Code) -> str | None:
    if code.codebook_id != document.project.codebook_id:
        return "This code does not belong to the project's codebook."
    if not code.is_active:
        return "This code is inactive."
    return None


def memo_error(memo) -> str | None:
    """The memo rule of every path (workspace, API, admin): text, at most 10,000 characters,
    no NUL character (PostgreSQL cannot store one in a text column)."""
    if not isinstance(memo, str):
        return "Must be text."
    if len(memo) > MEMO_MAX:
        return "A memo is at most 10,000 characters."
    if "\x00" in memo:
        return "A memo cannot contain the NUL character (U+0000)."
    return None


def coding_span(*, document: Document, start_offset, end_offset, normalise: bool = True):
    """The ``(start, end)`` a coding of ``document`` stores, or ``ValidationError``.

    With ``normalise`` (every interface where a person selects text: workspace, API, admin,
    curation) the selection is trimmed of surrounding whitespace and, with word granularity,
    snapped outward to whole words (``annotator.spans.selection_span``). Without (imports and
    copies of existing codings) the offsets are kept as given. Either way offsets must lie in
    the text and a span of whitespace only is refused, with the same messages.
    """
    try:
        if normalise:
            words = document.project.granularity == Project.Granularity.WORD
            return spans.selection_span(document.text, start_offset, end_offset, words=words)
        spans.check_coding_span(document.text, start_offset, end_offset)
    except spans.SpanError as error:
        raise ValidationError({error.field: error.message}) from None
    return start_offset, end_offset


def _checked(*, document: Document, code: Code, start_offset, end_offset, memo, normalise):
    """Every rule of a new coding at once: ``(start, end)`` or a ValidationError by field."""
    errors = {}
    if message := _code_error(document, code):
        errors["code"] = message
    if message := memo_error(memo):
        errors["memo"] = message
    span = None
    try:
        span = coding_span(
            document=document,
            start_offset=start_offset,
            end_offset=end_offset,
            normalise=normalise,
        )
    except ValidationError as exc:
        errors.update({name: messages[0] for name, messages in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return span


def annotation_check(*, document: Document, code: Code, start_offset, end_offset, memo=""):
    """The ``(start, end)`` that ``annotation_create`` would store, or its ValidationError
    (for forms that show the errors before saving, e.g. the admin)."""
    return _checked(
        document=document,
        code=code,
        start_offset=start_offset,
        end_offset=end_offset,
        memo=memo,
        normalise=True,
    )


def _validate(*, document: Document, code: Code, start_offset, end_offset) -> None:
    """The rules of a coding whose offsets are kept as given (imports use this)."""
    _checked(
        document=document,
        code=code,
        start_offset=start_offset,
        end_offset=end_offset,
        memo="",
        normalise=False,
    )


@transaction.atomic
def annotation_create(
    *,
    document: Document,
    coder,
    code: Code,
    start_offset: int,
    end_offset: int,
    memo: str = "",
    normalise: bool = True,
) -> tuple[Annotation, bool]:
    """Store one coding; returns ``(annotation, created)``.

    The stored span is the selection normalised by ``coding_span`` (``normalise=False`` keeps
    the offsets as given). Idempotent: the same (document, coder, code, start, end) twice gives
    one row. The coder's status on the document becomes "in progress" unless it is already set.
    """
    memo = "" if memo is None else memo
    start_offset, end_offset = _checked(
        document=document,
        code=code,
        start_offset=start_offset,
        end_offset=end_offset,
        memo=memo,
        normalise=normalise,
    )
    annotation, created = Annotation.objects.get_or_create(
        document=document,
        coder=coder,
        code=code,
        start_offset=start_offset,
        end_offset=end_offset,
        defaults={"memo": memo, "codebook_version": latest_version(code.codebook_id)},
    )
    if created:
        DocumentStatus.objects.get_or_create(
            document=document, coder=coder, defaults={"state": DocumentStatus.State.IN_PROGRESS}
        )
    return annotation, created


@transaction.atomic
def annotation_update(*, annotation: Annotation, memo: str) -> Annotation:
    if message := memo_error(memo):
        raise ValidationError({"memo": message})
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
    ``end_offset`` and optionally ``memo``. Each is validated and normalised exactly as
    ``annotation_create`` does; any invalid item refuses the whole batch with errors keyed ``items.<index>.<field>``.
    Returns ``(annotations, created_count)``: one annotation per item, in item order, existing
    rows reused as ``annotation_create`` does (so a batch may be re-sent safely).
    """
    errors: dict[str, list[str]] = {}
    keys = []  # (code, start, end) as stored, per valid item
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
        try:
            start, end = _checked(
                document=document,
                code=item["code"],
                start_offset=item["start_offset"],
                end_offset=item["end_offset"],
                memo=item.get("memo", ""),
                normalise=True,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"{prefix}.{name}"] = messages
            continue
        keys.append((item["code"], start, end))
    if errors:
        raise ValidationError(errors)
    if not items:
        return [], 0

    # One read of the coder's existing codings on this document instead of one per item.
    existing = {
        (code_id, start, end): pk
        for pk, code_id, start, end in Annotation.objects.filter(
            document=document, coder=coder
        ).values_list("pk", "code_id", "start_offset", "end_offset")
    }
    new: dict[tuple, Annotation] = {}
    version = latest_version(document.project.codebook_id)
    for item, (code, start, end) in zip(items, keys, strict=True):
        k = (code.pk, start, end)
        if k not in existing and k not in new:
            new[k] = Annotation(
                document=document,
                coder=coder,
                code=code,
                start_offset=start,
                end_offset=end,
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
    ordered_ids = [by_key[code.pk, start, end] for code, start, end in keys]
    rows = Annotation.objects.select_related("code", "coder").in_bulk(ordered_ids)
    for row in rows.values():
        row.document = document  # already loaded; spares a query (and its text) per row
    return [rows[pk] for pk in ordered_ids], len(new)

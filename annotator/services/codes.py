"""Codebook writes: every path that creates or changes a code (the API, the admin, the
codebook imports) goes through ``code_save``, so one rule decides what a hierarchy may hold.

Rules: a parent is another code of the same codebook; the hierarchy stays a tree (no code under
itself or one of its descendants); it is at most ``MAX_DEPTH`` levels deep.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Code

# Deep enough for any real codebook; shallow enough that every walk over the tree (paths,
# exports, recursive readers) stays cheap and never nears Python's recursion limit.
MAX_DEPTH = 32


def code_check_parent(*, code: Code, parent: Code | None) -> None:
    """Raise ``ValidationError`` (field ``parent``) unless ``parent`` may hold ``code``."""
    if parent is None:
        return
    if parent.codebook_id != code.codebook_id:
        raise ValidationError({"parent": "The parent must be a code of the same codebook."})
    node, seen, depth = parent, set(), 1
    while node is not None:
        if code.pk is not None and node.pk == code.pk:
            raise ValidationError(
                {"parent": "A code cannot sit under itself or one of its sub-codes."}
            )
        if node.pk in seen:
            raise ValidationError({"parent": "The parent's hierarchy contains a loop."})
        seen.add(node.pk)
        depth += 1
        node = node.parent
    if depth + _subtree_height(code) > MAX_DEPTH + 1:
        raise ValidationError(
            {"parent": f"A codebook's hierarchy is at most {MAX_DEPTH} levels deep."}
        )


def _subtree_height(code: Code) -> int:
    """Levels below ``code`` (0 for a leaf or a new code)."""
    if code.pk is None:
        return 0
    height, level = 0, [code.pk]
    while level and height <= MAX_DEPTH:
        level = list(Code.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        if level:
            height += 1
    return height


def code_save(*, code: Code, data: dict) -> Code:
    """Create or change a code with the model's validators and constraints and a sane parent.

    ``data`` maps field names to values; ``parent`` may be a ``Code``, its id, or ``None``
    (absent: unchanged). Raises ``ValidationError`` with field messages and writes nothing.
    """
    data = dict(data)
    parent = data.pop("parent", code.parent)
    if parent is not None and not isinstance(parent, Code):
        parent = Code.objects.filter(pk=parent, codebook=code.codebook_id).first()
        if parent is None:
            raise ValidationError({"parent": "No such code in this codebook."})
    for name, value in data.items():
        setattr(code, name, value)
    code_check_parent(code=code, parent=parent)
    code.parent = parent
    code.full_clean()
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError:
        # A concurrent write took the same name or shortcut between the check and the save.
        raise ValidationError({"name": "A code with this name or shortcut exists."}) from None
    return code

"""Codebook writes: every path that creates or changes a code (the API, the admin, the
codebook imports) goes through ``code_save``, so one rule decides what a hierarchy may hold.

Rules: a parent is another code of the same codebook; the hierarchy stays a tree (no code under
itself or one of its descendants); it is at most ``MAX_DEPTH`` levels deep. The database refuses
a parent from another codebook as well (migration 0004); cycles only this module refuses.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Code

# Deep enough for any real codebook; shallow enough that every walk over the tree (paths,
# exports, recursive readers) stays cheap and never nears Python's recursion limit.
MAX_DEPTH = 32


def code_check_parent(
    *, code: Code, parent: Code | None, pending: dict[int, int | None] | None = None
) -> None:
    """Raise ``ValidationError`` (field ``parent``) unless ``parent`` may hold ``code``.

    ``pending`` maps the ids of other codes of the codebook to the parent ids they are about to
    get in the same write (the admin's codebook page changes several codes at once), so the
    check judges the hierarchy as it will be, not as it is.
    """
    if code.pk is not None and code.codebook_id is not None:
        moved = Code.objects.filter(parent_id=code.pk).exclude(codebook_id=code.codebook_id)
        if moved.exists():
            raise ValidationError(
                {"codebook": "A code with sub-codes cannot move to another codebook."}
            )
    if parent is None:
        return
    if parent.codebook_id is None or parent.codebook_id != code.codebook_id:
        raise ValidationError({"parent": "The parent must be a code of the same codebook."})
    # One query for the whole codebook: code -> parent, as it will be after this write.
    tree: dict[int, int | None] = dict(
        Code.objects.filter(codebook_id=code.codebook_id).values_list("pk", "parent_id")
    )
    tree.update(pending or {})
    if code.pk is not None:
        tree[code.pk] = parent.pk
    node: int | None = parent.pk
    seen: set[int] = set()
    depth = 1
    while node is not None:
        if code.pk is not None and node == code.pk:
            raise ValidationError(
                {"parent": "A code cannot sit under itself or one of its sub-codes."}
            )
        if node in seen:
            raise ValidationError({"parent": "The parent's hierarchy contains a loop."})
        seen.add(node)
        depth += 1
        node = tree.get(node)
    if depth + _subtree_height(code.pk, tree) > MAX_DEPTH:
        raise ValidationError(
            {"parent": f"A codebook's hierarchy is at most {MAX_DEPTH} levels deep."}
        )


def _subtree_height(pk: int | None, tree: dict[int, int | None]) -> int:
    """Levels below the code ``pk`` in ``tree`` (0 for a leaf or a new code)."""
    if pk is None:
        return 0
    children = defaultdict(list)
    for child, parent in tree.items():
        children[parent].append(child)
    height, level, seen = 0, [pk], {pk}
    while height <= MAX_DEPTH:
        level = [child for node in level for child in children[node] if child not in seen]
        if not level:
            break
        seen.update(level)
        height += 1
    return height


def code_save(*, code: Code, data: dict, pending: dict[int, int | None] | None = None) -> Code:
    """Create or change a code with the model's validators and constraints and a sane parent.

    ``data`` maps field names to values; ``parent`` may be a ``Code``, its id, or ``None``
    (absent: unchanged). ``pending`` as for ``code_check_parent``. Raises ``ValidationError``
    with field messages and writes nothing.
    """
    data = dict(data)
    parent = data.pop("parent", code.parent)
    for name, value in data.items():
        setattr(code, name, value)
    if parent is not None and not isinstance(parent, Code):
        parent = Code.objects.filter(pk=parent, codebook=code.codebook_id).first()
        if parent is None:
            raise ValidationError({"parent": "No such code in this codebook."})
    code_check_parent(code=code, parent=parent, pending=pending)
    code.parent = parent
    code.full_clean()
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError:
        # A concurrent write took the same name or shortcut, or (refused by the database's
        # trigger) moved the parent to another codebook, between the check and the save.
        raise ValidationError(
            {"name": "A code with this name or shortcut exists, or the parent changed."}
        ) from None
    return code

"""The codebook editor: every change of a code, merges, splits, versions and the audit trail.

Each write goes through ``codes.code_save`` (the hierarchy and uniqueness rules) and records a
``CodebookChange`` with the code's state before and after. Changes collect in the draft (the
live codes plus the changes without a version) until a manager publishes them as an immutable,
numbered ``CodebookVersion``. Coders code with the live codes; a coding records the latest
published version at its creation (``version_for_coding``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ..models import Annotation, Code, Codebook, CodebookChange, CodebookSeen, CodebookVersion
from .codes import code_save

Action = CodebookChange.Action

# The fields of a code a version records (and the editor may change), in display order.
FIELDS = (
    "name",
    "parent_id",
    "color",
    "definition",
    "inclusion_criteria",
    "exclusion_criteria",
    "example",
    "shortcut",
    "order",
    "is_active",
)
EDITABLE = {
    "name",
    "parent",
    "color",
    "definition",
    "inclusion_criteria",
    "exclusion_criteria",
    "example",
    "shortcut",
    "is_active",
    "order",
}
MAX_NOTE = 2000


def _lock(codebook_id: int) -> Codebook:
    """Serialise the codebook's writes (orders, merges, version numbers) on its row."""
    return Codebook.objects.select_for_update().get(pk=codebook_id)


def _state(code: Code) -> dict:
    return {"id": code.pk, "path": code.path, **{f: getattr(code, f) for f in FIELDS}}


def _record(*, code: Code | None, codebook_id: int, user, action, before, after, path=None):
    CodebookChange.objects.create(
        codebook_id=codebook_id,
        user=user if getattr(user, "pk", None) else None,
        action=action,
        code=code if code is not None and code.pk else None,
        code_path=path or (after or before or {}).get("path", ""),
        before=before,
        after=after,
    )


def codebook_snapshot(codebook_id: int) -> list[dict]:
    """Every code of the codebook with its path, in codebook order (the shape of a version)."""
    codes = list(Code.objects.filter(codebook_id=codebook_id).order_by("order", "name", "id"))
    by_id = {c.pk: c for c in codes}
    for code in codes:  # paths without one query per level
        if code.parent_id in by_id:
            code.parent = by_id[code.parent_id]
    return [_state(c) for c in codes]


def latest_version(codebook_id: int) -> CodebookVersion | None:
    return CodebookVersion.objects.filter(codebook_id=codebook_id).order_by("-number").first()


def version_for_coding(code: Code) -> CodebookVersion | None:
    """The version a new coding with ``code`` records: the latest published one."""
    return latest_version(code.codebook_id)


# --- single-code edits ------------------------------------------------------------------------


def _clean_data(data: dict) -> dict:
    unknown = sorted(set(data) - EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    return data


@transaction.atomic
def code_add(*, codebook: Codebook, user, data: dict) -> Code:
    """A new code (at the end of its siblings unless ``order`` is given)."""
    data = dict(data)
    order = data.pop("order", None)
    _clean_data(data)
    _lock(codebook.pk)
    if order is None:
        order = (Code.objects.filter(codebook=codebook).aggregate(m=Max("order"))["m"] or 0) + 1
    code = code_save(code=Code(codebook=codebook), data={**data, "order": order})
    _record(
        code=code,
        codebook_id=codebook.pk,
        user=user,
        action=Action.ADD,
        before=None,
        after=_state(code),
    )
    return code


@transaction.atomic
def code_edit(*, code: Code, user, data: dict) -> Code:
    """Rename, recolour, nest or un-nest (``parent``), shortcut, texts, (de)activate."""
    _clean_data(data)
    _lock(code.codebook_id)
    code = Code.objects.get(pk=code.pk)
    before = _state(code)
    code = code_save(code=code, data=data)
    after = _state(code)
    if after != before:
        _record(
            code=code,
            codebook_id=code.codebook_id,
            user=user,
            action=Action.EDIT,
            before=before,
            after=after,
        )
    return code


@transaction.atomic
def code_move(*, code: Code, user, direction: str) -> Code:
    """Swap the code with its previous (``up``) or next (``down``) sibling."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Choose up or down."})
    _lock(code.codebook_id)
    siblings = list(
        Code.objects.filter(codebook_id=code.codebook_id, parent_id=code.parent_id).order_by(
            "order", "name", "id"
        )
    )
    index = next(i for i, c in enumerate(siblings) if c.pk == code.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        raise ValidationError(
            {
                "direction": f"“{code.name}” is already the {'first' if direction == 'up' else 'last'}."
            }
        )
    before = _state(siblings[index])
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order"])
    moved = Code.objects.get(pk=code.pk)
    _record(
        code=moved,
        codebook_id=moved.codebook_id,
        user=user,
        action=Action.MOVE,
        before=before,
        after=_state(moved),
    )
    return moved


@transaction.atomic
def code_delete(*, code: Code, user) -> None:
    """Delete a code without codings and sub-codes; one with codings is merged or deactivated."""
    _lock(code.codebook_id)
    if Annotation.objects.filter(code=code).exists():
        raise ValidationError(
            "This code has codings: merge it into another code or deactivate it instead."
        )
    if Code.objects.filter(parent=code).exists():
        raise ValidationError("This code has sub-codes: move or delete them first.")
    before = _state(code)
    codebook_id = code.codebook_id
    code.delete()
    _record(
        code=None,
        codebook_id=codebook_id,
        user=user,
        action=Action.DELETE,
        before=before,
        after=None,
    )


# --- merge and split --------------------------------------------------------------------------


def _join_memos(*memos: str) -> str:
    parts = []
    for memo in memos:
        memo = (memo or "").strip()
        if memo and memo not in parts:
            parts.append(memo)
    return "\n\n".join(parts)


@transaction.atomic
def code_merge(*, source: Code, target: Code, user) -> dict:
    """Move every coding and sub-code of ``source`` to ``target`` and delete ``source``.

    A coding that ``target`` already has (same document, coder and offsets) collapses into that
    one with both memos joined, so the uniqueness constraint holds and no memo is lost.
    Returns counts ``{"moved": n, "collapsed": m}``.
    """
    if source.codebook_id != target.codebook_id:
        raise ValidationError({"target": "Both codes must belong to the same codebook."})
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose another code to merge into."})
    _lock(source.codebook_id)
    source, target = Code.objects.get(pk=source.pk), Code.objects.get(pk=target.pk)
    node: Code | None = target
    while node is not None:
        if node.pk == source.pk:
            raise ValidationError({"target": "A code cannot merge into one of its own sub-codes."})
        node = node.parent
    before = {"source": _state(source), "target": _state(target)}
    existing = {
        (a.document_id, a.coder_id, a.start_offset, a.end_offset): a
        for a in Annotation.objects.filter(code=target)
    }
    moved = collapsed = 0
    for annotation in Annotation.objects.filter(code=source).order_by("pk"):
        key = (
            annotation.document_id,
            annotation.coder_id,
            annotation.start_offset,
            annotation.end_offset,
        )
        twin = existing.get(key)
        if twin is None:
            annotation.code = target
            annotation.save(update_fields=["code", "updated_at"])
            moved += 1
        else:
            twin.memo = _join_memos(twin.memo, annotation.memo)
            twin.save(update_fields=["memo", "updated_at"])
            annotation.delete()
            collapsed += 1
    for child in Code.objects.filter(parent=source):
        code_save(code=child, data={"parent": target})
    source.delete()
    target = Code.objects.get(pk=target.pk)
    _record(
        code=target,
        codebook_id=target.codebook_id,
        user=user,
        action=Action.MERGE,
        before=before,
        after={**_state(target), "moved": moved, "collapsed": collapsed},
        path=f"{before['source']['path']} → {target.path}",
    )
    return {"moved": moved, "collapsed": collapsed}


@transaction.atomic
def code_split(*, code: Code, user, name: str, annotation_ids, project=None) -> tuple[Code, int]:
    """A new sibling of ``code`` named ``name`` (same colour and texts) that takes the selected
    codings of ``code``. Returns ``(new_code, codings_moved)``. With ``project``, only codings
    of that project's documents may be selected (a codebook may be shared by several projects:
    a manager of one never sees or moves another's codings by id)."""
    ids = set()
    for value in annotation_ids or ():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"annotations": "Codings are given by their ids."})
        ids.add(value)
    if not ids:
        raise ValidationError({"annotations": "Select at least one coding to move."})
    selected = Annotation.objects.filter(pk__in=ids, code=code)
    if project is not None:
        selected = selected.filter(document__project=project)
    chosen = list(selected)
    if len(chosen) != len(ids):
        raise ValidationError(
            {"annotations": "Some selected codings are not codings of this code."}
        )
    new = code_add(
        codebook=code.codebook,
        user=user,
        data={
            "name": name,
            "parent": code.parent_id,
            "color": code.color,
            "definition": code.definition,
            "inclusion_criteria": code.inclusion_criteria,
            "exclusion_criteria": code.exclusion_criteria,
            "example": code.example,
        },
    )
    Annotation.objects.filter(pk__in=ids).update(code=new)
    _record(
        code=new,
        codebook_id=code.codebook_id,
        user=user,
        action=Action.SPLIT,
        before=_state(code),
        after={**_state(new), "moved": len(ids)},
        path=f"{code.path} → {new.path}",
    )
    return new, len(ids)


# --- versions ---------------------------------------------------------------------------------


def draft_changes(codebook_id: int):
    return CodebookChange.objects.filter(codebook_id=codebook_id, version=None).select_related(
        "user"
    )


def snapshot_diff(old: list[dict], new: list[dict]) -> list[str]:
    """What changed between two snapshots, one sentence a change, by code id."""
    before, after = {c["id"]: c for c in old}, {c["id"]: c for c in new}
    lines = []
    for pk, code in after.items():
        if pk not in before:
            lines.append(f"added {code['path']}")
            continue
        was = before[pk]
        if was["path"] != code["path"]:
            lines.append(f"{was['path']} is now {code['path']}")
        for field in FIELDS:
            if field in ("name", "parent_id", "order") or was.get(field) == code.get(field):
                continue
            if field == "is_active":
                lines.append(f"{code['path']} {'re-activated' if code[field] else 'deactivated'}")
            else:
                lines.append(f"{code['path']}: {field.replace('_', ' ')} changed")
    for pk, code in before.items():
        if pk not in after:
            lines.append(f"removed {code['path']}")
    old_order = [c for c in before if c in after]
    new_order = [c for c in after if c in before]
    if old_order != new_order:
        lines.append("codes reordered")
    return lines


def draft_diff(codebook_id: int) -> list[str]:
    version = latest_version(codebook_id)
    return snapshot_diff(version.snapshot if version else [], codebook_snapshot(codebook_id))


@transaction.atomic
def codebook_publish(*, codebook: Codebook, user, note: str) -> CodebookVersion:
    """Freeze the draft as the next version, with a note; the draft's changes join it."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what this version changes."})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"A note is at most {MAX_NOTE} characters."})
    _lock(codebook.pk)
    last = latest_version(codebook.pk)
    snapshot = codebook_snapshot(codebook.pk)
    if last is not None and last.snapshot == snapshot:
        raise ValidationError("Nothing to publish: the draft equals the latest version.")
    version = CodebookVersion.objects.create(
        codebook=codebook,
        number=(last.number if last else 0) + 1,
        note=note,
        published_by=user if getattr(user, "pk", None) else None,
        snapshot=snapshot,
    )
    draft_changes(codebook.pk).update(version=version)
    return version


def versions_with_changes(codebook_id: int) -> list[tuple[CodebookVersion, list[str]]]:
    """Every version of the codebook, latest first, with what it changed (one query)."""
    versions = list(
        CodebookVersion.objects.filter(codebook_id=codebook_id)
        .select_related("published_by")
        .order_by("number")
    )
    previous: list[dict] = []
    result = []
    for version in versions:
        result.append((version, snapshot_diff(previous, version.snapshot)))
        previous = version.snapshot
    return result[::-1]


def version_changes(version: CodebookVersion) -> list[str]:
    """What ``version`` changed from the one before it."""
    previous = (
        CodebookVersion.objects.filter(codebook_id=version.codebook_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return snapshot_diff(previous.snapshot if previous else [], version.snapshot)


# --- import into the draft --------------------------------------------------------------------


def _import_rows(data: bytes, filename: str):
    from ..exports import refi_read
    from .imports import _parse

    name = filename.lower()
    if name.endswith(".qdc"):
        return _parse(refi_read.read_qdc, data, filename)
    if name.endswith(".qdpx"):
        return _parse(refi_read.read_qdpx, data, filename).codes
    raise ValidationError({"file": "Choose a REFI-QDA codebook (.qdc) or project (.qdpx)."})


@transaction.atomic
def codebook_import(*, codebook: Codebook, user, data: bytes, filename: str, dry_run=False):
    """Add the codes of a ``.qdc`` codebook or of a ``.qdpx`` project's codebook to the draft
    (codes already there, by path, stay as they are). Returns what changes, as
    ``snapshot_diff`` lines; ``dry_run`` rolls everything back (the preview)."""
    from .imports import _create_codes

    rows = _import_rows(data, filename)
    _lock(codebook.pk)
    before = codebook_snapshot(codebook.pk)
    _create_codes(codebook, rows, filename)
    after = codebook_snapshot(codebook.pk)
    lines = snapshot_diff(before, after)
    if dry_run:
        transaction.set_rollback(True)
        return lines
    record_import(codebook=codebook, user=user, filename=filename, known={c["id"] for c in before})
    return lines


def codebook_seen(*, codebook: Codebook, user) -> CodebookVersion | None:
    """The coder has read the latest version: the workspace banner stops listing its changes."""
    version = latest_version(codebook.pk)
    if version is not None:
        CodebookSeen.objects.update_or_create(
            user=user, codebook=codebook, defaults={"version": version}
        )
    return version


def record_import(*, codebook: Codebook, user, filename: str, known: set[int]) -> None:
    """An audit-trail entry for each code an import added (the codes not in ``known``)."""
    for state in codebook_snapshot(codebook.pk):
        if state["id"] not in known:
            _record(
                code=Code(pk=state["id"]),
                codebook_id=codebook.pk,
                user=user,
                action=Action.IMPORT,
                before=None,
                after={**state, "file": filename},
            )

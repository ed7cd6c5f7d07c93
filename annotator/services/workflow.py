"""Team workflow writes: assignments, and curation of the gold standard with provenance.

Every gold edit names the curation version the curator saw; an edit against an older version
is refused (optimistic locking), so two curators never overwrite each other silently.
"""

import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from .. import spans
from ..models import (
    Annotation,
    Assignment,
    Curation,
    CurationNote,
    Document,
    GoldProvenance,
    Membership,
    Project,
)
from .annotations import annotation_create


def _require_assignments(project: Project) -> None:
    if not project.uses_assignments:
        raise ValidationError(
            "This project does not use assignments: switch them on in the project settings first."
        )


def _require_member(project: Project, user, field: str = "coder") -> None:
    if not Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError({field: f"{user} is not a member of this project."})


@transaction.atomic
def assignment_create(*, document: Document, coder, assigned_by=None, due_date=None) -> Assignment:
    """Put a document at the end of a coder's queue (idempotent)."""
    _require_assignments(document.project)
    _require_member(document.project, coder)
    existing = Assignment.objects.filter(document=document, coder=coder).first()
    if existing:
        return existing
    last = Assignment.objects.filter(coder=coder, document__project=document.project).aggregate(
        last=Max("position")
    )["last"]
    return Assignment.objects.create(
        document=document,
        coder=coder,
        position=0 if last is None else last + 1,
        assigned_by=assigned_by,
        due_date=due_date,
    )


@transaction.atomic
def assignment_delete(*, assignment: Assignment) -> None:
    assignment.delete()


@transaction.atomic
def assignments_auto(
    *,
    project: Project,
    coders: list,
    k: int,
    documents: list[Document] | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    due_date=None,
    assigned_by=None,
) -> list[Assignment]:
    """Assign each document to ``k`` of ``coders``, balancing the coders' loads.

    Each document goes to the k coders with the fewest assignments in the project so far (ties
    broken by the given coder order), skipping coders who already have it. With ``shuffle`` the
    documents are taken — and so queued — in a random order drawn from ``seed``.
    """
    _require_assignments(project)
    coders = list(dict.fromkeys(coders))
    if not coders:
        raise ValidationError({"coders": "Choose at least one coder."})
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(coders):
        raise ValidationError(
            {"k": f"k must be between 1 and the number of coders ({len(coders)})."}
        )
    for coder in coders:
        _require_member(project, coder, "coders")
    docs = list(documents if documents is not None else project.documents.order_by("order", "id"))
    if any(d.project_id != project.pk for d in docs):
        raise ValidationError({"documents": "Every document must belong to this project."})
    if shuffle:
        random.Random(seed).shuffle(docs)
    # One generation at a time per project: a second manager's request waits here until the
    # first commits, then sees its assignments and adds only what is still missing (PostgreSQL:
    # this row lock; SQLite: IMMEDIATE transactions already serialise writers).
    Project.objects.select_for_update().only("pk").get(pk=project.pk)
    existing = set(
        Assignment.objects.filter(document__project=project).values_list("document_id", "coder_id")
    )
    load = Counter(coder_id for _, coder_id in existing)
    created = []
    try:
        with transaction.atomic():
            for document in docs:
                have = [c for c in coders if (document.pk, c.pk) in existing]
                candidates = [c for c in coders if (document.pk, c.pk) not in existing]
                candidates.sort(key=lambda c: load[c.pk])  # stable: ties keep the given order
                for coder in candidates[: max(0, k - len(have))]:
                    created.append(
                        assignment_create(
                            document=document,
                            coder=coder,
                            assigned_by=assigned_by,
                            due_date=due_date,
                        )
                    )
                    load[coder.pk] += 1
                    existing.add((document.pk, coder.pk))
    except IntegrityError:
        # A hand-made assignment (which takes no project lock) landed in between.
        raise ValidationError(
            "The project's assignments changed while these were being made. "
            "Nothing was assigned; try again."
        ) from None
    return created


# --- the gold standard -----------------------------------------------------------------------


def gold_user_for(project: Project):
    """The project's gold-standard coder: an inactive account, created on first use."""
    if project.gold_user_id:
        return project.gold_user
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=f"gold-standard-{project.pk}",
        defaults={"is_active": False, "first_name": "Gold standard"},
    )
    user.set_unusable_password()
    user.save()
    Project.objects.filter(pk=project.pk).update(gold_user=user)
    project.gold_user = user
    return user


def _claim_version(*, document: Document, version, user) -> Curation:
    """Refuse a stale edit; otherwise move the document's curation to the next version."""
    curation, _ = Curation.objects.get_or_create(document=document)
    curation = Curation.objects.select_for_update().get(pk=curation.pk)
    if version is None or int(version) != curation.version:
        raise ValidationError(
            {
                "version": f"The gold standard of this document changed since you loaded it "
                f"(you saw version {version}, it is now version {curation.version}). "
                "Nothing was changed; review the current state and try again."
            }
        )
    curation.version += 1
    curation.updated_by = user
    curation.save(update_fields=["version", "updated_by", "updated_at"])
    return curation


def _record(annotation, *, action, curator, proposed_by=(), confirmed=True) -> GoldProvenance:
    provenance, _ = GoldProvenance.objects.update_or_create(
        annotation=annotation,
        defaults={"action": action, "accepted_by": curator, "confirmed": confirmed},
    )
    provenance.proposed_by.set(list(proposed_by))
    return provenance


def _gold_create(
    *, document, curator, code, start, end, action, proposed_by=(), confirmed=True, normalise=True
):
    """A gold coding through the coding service: a curator's own selection (add, adjust) is
    normalised like any other; copies of coders' codings (accept, merge) keep their offsets."""
    gold = gold_user_for(document.project)
    annotation, _ = annotation_create(
        document=document,
        coder=gold,
        code=code,
        start_offset=start,
        end_offset=end,
        normalise=normalise,
    )
    _record(
        annotation, action=action, curator=curator, proposed_by=proposed_by, confirmed=confirmed
    )
    return annotation


def _proposers(document: Document, code_id: int, start: int, end: int) -> list:
    """Coders (not gold) whose coding of this code matches the span exactly."""
    User = get_user_model()
    gold_id = document.project.gold_user_id
    ids = (
        Annotation.objects.filter(
            document=document, code_id=code_id, start_offset=start, end_offset=end
        )
        .exclude(coder_id=gold_id)
        .values_list("coder_id", flat=True)
    )
    return list(User.objects.filter(pk__in=list(ids)))


@transaction.atomic
def gold_accept(*, document: Document, curator, annotation: Annotation, version) -> Annotation:
    """Copy a coder's coding into the gold standard."""
    if annotation.document_id != document.pk:
        raise ValidationError({"annotation": "This coding belongs to another document."})
    if annotation.coder_id == document.project.gold_user_id:
        raise ValidationError({"annotation": "This coding is already in the gold standard."})
    _claim_version(document=document, version=version, user=curator)
    return _gold_create(
        document=document,
        curator=curator,
        code=annotation.code,
        start=annotation.start_offset,
        end=annotation.end_offset,
        action=GoldProvenance.Action.ACCEPTED,
        proposed_by=_proposers(
            document, annotation.code_id, annotation.start_offset, annotation.end_offset
        ),
        normalise=False,
    )


@transaction.atomic
def gold_add(*, document: Document, curator, code, start_offset, end_offset, version) -> Annotation:
    """Add a coding of the curator's own to the gold standard."""
    _claim_version(document=document, version=version, user=curator)
    return _gold_create(
        document=document,
        curator=curator,
        code=code,
        start=start_offset,
        end=end_offset,
        action=GoldProvenance.Action.ADDED,
        proposed_by=_proposers(document, code.pk, start_offset, end_offset),
    )


def _gold_annotation(document: Document, annotation: Annotation) -> None:
    if (
        annotation.document_id != document.pk
        or annotation.coder_id != document.project.gold_user_id
    ):
        raise ValidationError(
            {"annotation": "This coding is not in this document's gold standard."}
        )


@transaction.atomic
def gold_adjust(*, document, curator, annotation, start_offset, end_offset, version) -> Annotation:
    """Move a gold coding's boundaries (recorded as adjusted, keeping its proposers)."""
    _gold_annotation(document, annotation)
    _claim_version(document=document, version=version, user=curator)
    proposed = (
        list(annotation.provenance.proposed_by.all()) if hasattr(annotation, "provenance") else []
    )
    code = annotation.code
    annotation.delete()
    return _gold_create(
        document=document,
        curator=curator,
        code=code,
        start=start_offset,
        end=end_offset,
        action=GoldProvenance.Action.ADJUSTED,
        proposed_by=proposed,
    )


@transaction.atomic
def gold_reject(*, document, curator, annotation, version) -> None:
    """Remove a coding from the gold standard (e.g. a merge-assistant proposal)."""
    _gold_annotation(document, annotation)
    _claim_version(document=document, version=version, user=curator)
    annotation.delete()


@transaction.atomic
def gold_confirm(*, document, curator, annotation, version) -> Annotation:
    """Confirm a merge-assistant proposal: the curator takes responsibility for it."""
    _gold_annotation(document, annotation)
    _claim_version(document=document, version=version, user=curator)
    GoldProvenance.objects.filter(annotation=annotation).update(confirmed=True, accepted_by=curator)
    return annotation


@transaction.atomic
def gold_merge(*, document, curator, min_coders: int, match: str = "exact", version) -> list:
    """Pre-fill the gold standard with codings on which at least ``min_coders`` coders agree.

    ``exact``: same code and the same [start, end). ``overlap``: same code and sharing at least
    one character; the proposal spans the characters that at least ``min_coders`` coders marked
    (each maximal run becomes one proposal). Proposals are unconfirmed until a curator confirms.
    """
    if match not in ("exact", "overlap"):
        raise ValidationError({"match": "Choose exact or overlap."})
    if not isinstance(min_coders, int) or isinstance(min_coders, bool) or min_coders < 1:
        raise ValidationError({"min_coders": "At least one coder must agree."})
    _claim_version(document=document, version=version, user=curator)
    gold_id = document.project.gold_user_id
    rows = list(
        Annotation.objects.filter(document=document)
        .exclude(coder_id=gold_id)
        .values_list("coder_id", "code_id", "start_offset", "end_offset")
    )
    User = get_user_model()
    users = {u.pk: u for u in User.objects.filter(pk__in={r[0] for r in rows})}
    codes = {c.pk: c for c in document.project.codebook.codes.all()}
    proposals = []  # (code_id, start, end, coder ids)
    if match == "exact":
        coders_by_span: dict = {}
        for coder_id, code_id, start, end in rows:
            coders_by_span.setdefault((code_id, start, end), set()).add(coder_id)
        proposals = [
            (*key, ids) for key, ids in sorted(coders_by_span.items()) if len(ids) >= min_coders
        ]
    else:
        by_code: dict = {}
        for coder_id, code_id, start, end in rows:
            by_code.setdefault(code_id, []).append((coder_id, start, end))
        coder_ids = sorted(users)
        for code_id, code_spans in sorted(by_code.items()):
            proposals.extend(
                (code_id, run.start, run.end, run.coders)
                for run in spans.agreed_runs(code_spans, coders=coder_ids, min_coders=min_coders)
                # A run between two coders' spans may hold only whitespace: nothing to propose.
                if not document.text[run.start : run.end].isspace()
            )
    created = []
    for code_id, start, end, coder_ids in proposals:
        created.append(
            _gold_create(
                document=document,
                curator=curator,
                code=codes[code_id],
                start=start,
                end=end,
                action=GoldProvenance.Action.MERGED,
                proposed_by=[users[i] for i in sorted(coder_ids)],
                confirmed=False,
                normalise=False,
            )
        )
    return created


@transaction.atomic
def curation_note_create(*, document: Document, author, text: str) -> CurationNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "A note cannot be empty."})
    if len(text) > 10_000:
        raise ValidationError({"text": "A note is at most 10,000 characters."})
    return CurationNote.objects.create(document=document, author=author, text=text)

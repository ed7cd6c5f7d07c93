"""Reads for the team workflow: queues, progress, and the curation view's alignment."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q

from .. import spans
from ..models import Annotation, Assignment, Code, Document, DocumentStatus, Membership, Project


def project_coder_ids(*, project: Project) -> list[int]:
    """The members who code, in username order: every annotator, and a member of another role
    (a manager, a curator) only once they coded (a coding or a status in the project). The
    gold-standard account is not a member, so never a coder."""
    mine = {"document__project": project, "coder_id": OuterRef("user_id")}
    return list(
        Membership.objects.filter(project=project)
        .filter(
            Q(role=Membership.Role.ANNOTATOR)
            | Exists(Annotation.objects.filter(**mine))
            | Exists(DocumentStatus.objects.filter(**mine))
        )
        .order_by("user__username")
        .values_list("user_id", flat=True)
    )


def assignments_by_coder(*, project: Project) -> dict:
    """{coder: [Assignment...]} in queue order (two queries)."""
    queues = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(document__project=project)
        .select_related("coder", "document")
        .defer("document__text", "document__metadata")
        .order_by("coder__username", "position", "id")
    ):
        queues[assignment.coder].append(assignment)
    return dict(queues)


def queue_for(*, documents: list[Document], user) -> list[Document]:
    """The user's assigned documents in queue order (one query), taken from ``documents``
    (the project page's list, which already carries each document's label and status)."""
    by_id = {document.pk: document for document in documents}
    queue = []
    for document_id, due_date in (
        Assignment.objects.filter(document_id__in=list(by_id), coder=user)
        .order_by("position", "id")
        .values_list("document_id", "due_date")
    ):
        document = by_id[document_id]
        document.due_date = due_date  # type: ignore[attr-defined]  # shown in the queue
        queue.append(document)
    return queue


def next_document(*, project: Project, user, current: Document) -> int | None:
    """The id of the next document to code after ``current``, or None when all are done.

    With assignments, the user's queue in order; without, the project's documents in order.
    Documents the user marked done are skipped; the search wraps round to the start.
    """
    done = DocumentStatus.objects.filter(
        document__project=project, coder=user, state="done"
    ).values("document_id")
    queue = list(
        Assignment.objects.filter(document__project=project, coder=user)
        .order_by("position", "id")
        .values_list("document_id", flat=True)
    )
    if queue:
        finished = set(done.values_list("document_id", flat=True))
        order = queue
    else:
        order = list(
            Document.objects.filter(project=project)
            .order_by("order", "id")
            .values_list("pk", flat=True)
        )
        finished = set(done.values_list("document_id", flat=True))
    start = order.index(current.pk) + 1 if current.pk in order else 0
    for pk in order[start:] + order[:start]:
        if pk != current.pk and pk not in finished:
            return pk
    return None


@dataclass
class CoderProgress:
    username: str
    role: str
    assigned: int = 0
    done: int = 0
    in_progress: int = 0
    codings: int = 0
    last_activity: dt.datetime | None = None
    # The bar: documents to code (the coder's assignments when the project uses assignments,
    # else all its documents) and how many of those the coder finished.
    target: int = 0
    target_done: int = 0

    @property
    def percent_done(self) -> int:
        return round(100 * self.target_done / self.target) if self.target else 0


def progress(*, project: Project) -> dict:
    """Per coder and per document: status, number of codings, last activity (6 queries).

    Coders as ``project_coder_ids``. With assignments each bar measures the coder's assigned
    documents; without, all the project's documents.
    """
    gold_id = project.gold_user_id
    coder_ids = project_coder_ids(project=project)
    by_user = {
        m.user_id: m
        for m in Membership.objects.filter(project=project, user_id__in=coder_ids).select_related(
            "user"
        )
    }
    members = [by_user[pk] for pk in coder_ids]
    coders = {m.user_id: CoderProgress(m.user.username, m.role) for m in members}
    assigned = set(
        Assignment.objects.filter(document__project=project).values_list("document_id", "coder_id")
    )
    for _, coder_id in assigned:
        if coder_id in coders:
            coders[coder_id].assigned += 1
    statuses = list(
        DocumentStatus.objects.filter(document__project=project).values_list(
            "document_id", "coder_id", "state", "updated_at"
        )
    )
    for document_id, coder_id, state, updated in statuses:
        if coder_id in coders:
            row = coders[coder_id]
            row.done += state == "done"
            row.in_progress += state == "in_progress"
            if state == "done" and (not assigned or (document_id, coder_id) in assigned):
                row.target_done += 1
            row.last_activity = max(filter(None, [row.last_activity, updated]), default=None)
    per_doc_codings: defaultdict[int, dict[int, int]] = defaultdict(dict)
    for document_id, coder_id, n, last in (
        Annotation.objects.filter(document__project=project)
        .exclude(coder_id=gold_id)
        .values_list("document_id", "coder_id")
        .annotate(n=Count("id"), last=Max("updated_at"))
    ):
        per_doc_codings[document_id][coder_id] = n
        if coder_id in coders:
            row = coders[coder_id]
            row.codings += n
            row.last_activity = max(filter(None, [row.last_activity, last]), default=None)
    state_of = {(d, c): s for d, c, s, _ in statuses}
    document_list = list(Document.objects.filter(project=project).defer("text", "metadata"))
    for row in coders.values():
        row.target = row.assigned if assigned else len(document_list)
    documents = []
    for document in document_list:
        cells = []
        for m in members:
            key = (document.pk, m.user_id)
            cells.append(
                {
                    "coder": m.user.username,
                    "assigned": key in assigned,
                    "state": state_of.get(key),
                    "codings": per_doc_codings[document.pk].get(m.user_id, 0),
                }
            )
        documents.append({"document": document, "cells": cells})
    if assigned:
        total = len(assigned)
        total_done = sum(1 for key in assigned if state_of.get(key) == "done")
    else:
        total = len(coders) * len(document_list)
        total_done = sum(row.target_done for row in coders.values())
    return {
        "coders": [coders[m.user_id] for m in members],
        "annotators": [m.user.username for m in members],
        "documents": documents,
        "uses_assignments": bool(assigned),
        "total": total,
        "total_done": total_done,
        "percent_done": round(100 * total_done / total) if total else 0,
    }


def progress_over_time(*, project: Project) -> list[tuple]:
    """(date, codings made that day, documents marked done that day), ascending."""
    from django.db.models.functions import TruncDate

    gold_id = project.gold_user_id
    codings = dict(
        Annotation.objects.filter(document__project=project)
        .exclude(coder_id=gold_id)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    done = dict(
        DocumentStatus.objects.filter(document__project=project, state="done")
        .annotate(day=TruncDate("updated_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [
        (day, codings.get(day, 0), done.get(day, 0)) for day in sorted(set(codings) | set(done))
    ]


def activity_fingerprint(*, project: Project, document: Document | None = None) -> str:
    """Changes whenever a coding or status of the project (or document) changes."""
    scope = Q(document=document) if document else Q(document__project=project)
    a = Annotation.objects.filter(scope).aggregate(n=Count("id"), last=Max("updated_at"))
    s = DocumentStatus.objects.filter(scope).aggregate(n=Count("id"), last=Max("updated_at"))
    return f"{a['n']}.{a['last']}.{s['n']}.{s['last']}"


@dataclass
class Disagreement:
    code: object
    start: int
    end: int
    coders_with: list = field(default_factory=list)
    coders_without: list = field(default_factory=list)
    boundaries: list = field(default_factory=list)  # (coder, start, end) of overlapping codings


def curation_coders(*, document: Document) -> list[str]:
    """Whose codings the curation page compares (its rule for "which coders count"): every
    coder other than the gold standard who coded the document or marked it done, by name.

    The agreement drill-down counts only finished (and, with assignments, assigned) coders;
    for the same coders both pages show the same disagreements (one sweep:
    ``annotator.spans.disagreement_runs``).
    """
    gold_id = document.project.gold_user_id
    coded = Annotation.objects.filter(document=document).values("coder_id")
    done = DocumentStatus.objects.filter(document=document, state="done").values("coder_id")
    users = get_user_model().objects.filter(Q(pk__in=coded) | Q(pk__in=done))
    if gold_id is not None:
        users = users.exclude(pk=gold_id)
    return sorted(users.values_list("username", flat=True))


def curation(*, document: Document) -> dict:
    """The coders' codings aligned per code, the disagreements, and the gold standard."""
    project = document.project
    gold_id = project.gold_user_id
    rows = list(
        Annotation.objects.filter(document=document)
        .select_related("coder", "code")
        .order_by("code__order", "start_offset", "end_offset", "coder__username")
    )
    gold = [a for a in rows if a.coder_id == gold_id]
    coded = [a for a in rows if a.coder_id != gold_id]
    coders = curation_coders(document=document)
    grouped: defaultdict[Code, list[Annotation]] = defaultdict(list)
    for a in coded:
        grouped[a.code].append(a)
    by_code = sorted(grouped.items(), key=lambda kv: (kv[0].order, kv[0].name))
    disagreements = []
    for code, items in by_code:
        disagreements.extend(_disagreements(code, items, coders))
    gold_ids = [a.pk for a in gold]
    from ..models import GoldProvenance

    provenance = {
        p.annotation_id: p
        for p in GoldProvenance.objects.filter(annotation_id__in=gold_ids)
        .select_related("accepted_by")
        .prefetch_related("proposed_by")
    }
    for a in gold:
        a.gold_provenance = provenance.get(a.pk)  # type: ignore[attr-defined]  # for the template
    in_gold = {(a.code_id, a.start_offset, a.end_offset) for a in gold}
    for a in coded:
        a.in_gold = (a.code_id, a.start_offset, a.end_offset) in in_gold  # type: ignore[attr-defined]  # for the template
        a.text = document.text[a.start_offset : a.end_offset]  # type: ignore[attr-defined]  # for the template
    for a in gold:
        a.text = document.text[a.start_offset : a.end_offset]  # type: ignore[attr-defined]  # for the template
    return {
        "coders": coders,
        "by_code": by_code,
        "disagreements": disagreements,
        "gold": gold,
    }


def _disagreements(code, items, coders):
    """Runs of characters where some of ``coders`` applied ``code`` and others did not."""
    code_spans = [(a.coder.username, a.start_offset, a.end_offset) for a in items]
    result = []
    for run in spans.disagreement_runs(code_spans, coders=coders):
        marked = set(run.coders)
        result.append(
            Disagreement(
                code,
                run.start,
                run.end,
                list(run.coders),
                [c for c in coders if c not in marked],
                # Every coding of the code that overlaps or touches the run: where boundaries
                # differ, the other coders' codings start or end right at it.
                sorted((c, s, e) for c, s, e in code_spans if s <= run.end and run.start <= e),
            )
        )
    return result

"""Reads for the agreement report: the ORM side, producing ``annotator.agreement.DocumentData``.

A constant number of queries whatever the project's size (``values_list``, no query per
document): codes, members, counted (document, coder) pairs, documents with their texts, and
codings. Texts are fetched once, with the documents: the report's token level needs them.

The missing-data policy lives in :func:`counted_statuses` alone: a coder's coding of a
document counts when the coder finished it (``DocumentStatus.state == "done"``) and, in a
project that uses assignments (any ``Assignment`` row), was assigned it: "assigned AND done".
A project without assignments keeps "done" alone, so projects coded before assignments existed
report as before. A coder who does not count for a document is missing there, never "no code".

Narrowings (all optional, combined with AND):

- ``documents``: document ids of the project;
- ``coders``: usernames of project members;
- ``codes``: code ids or names of the project's codebook;
- ``date_from`` / ``date_to``: dates, inclusive, compared with the **calendar date on which
  the coder marked the document done** (``DocumentStatus.updated_at`` of the "done" status, in
  the current time zone; for the gold standard, the date of the document's last curation).
  The date range selects (document, coder) pairs, never single codings: a coder who finished
  a document inside the range counts for it with all their codings of it, one who finished it
  outside the range does not count for it (missing there, never zeros). Narrowing single
  codings by their creation date would turn the dropped codings into "not coded" (zeros).

Every narrowing is described in plain sentences (:meth:`AgreementNarrowing.describe`), which
the report states in its metadata, on the page, in its downloads and in the methods paragraph.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, Exists, Max, OuterRef, Q

from ..agreement import DocumentData
from ..models import (
    Annotation,
    Assignment,
    Code,
    Curation,
    Document,
    DocumentStatus,
    Membership,
    Project,
)

CODING_CHUNK = 10_000
_display_title = vars(Document)["display_title"].fget  # the model's rule, without building one
GOLD_NAME = "gold standard"


@dataclass(frozen=True)
class AgreementNarrowing:
    """Which documents, coders, codes and dates a report keeps; empty keeps everything."""

    documents: tuple[int, ...] = ()
    coders: tuple[str, ...] = ()
    codes: tuple[int | str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # Add the gold standard as a coder (named GOLD_NAME) to compare each coder with it.
    include_gold: bool = False

    def describe(self, code_names: Iterable[str] = ()) -> tuple[str, ...]:
        """One plain sentence per narrowing in force; empty when nothing is narrowed."""
        out = []
        if self.documents:
            ids = ", ".join(str(d) for d in sorted(self.documents))
            out.append(f"Documents: ids {ids} only.")
        if self.coders:
            out.append(f"Coders: {', '.join(sorted(self.coders))} only.")
        if self.codes:
            out.append(f"Codes: {', '.join(code_names) or 'none'} only.")
        if self.date_from or self.date_to:
            since = f"on or after {self.date_from.isoformat()}" if self.date_from else ""
            until = f"on or before {self.date_to.isoformat()}" if self.date_to else ""
            window = " and ".join(part for part in (since, until) if part)
            out.append(
                f"Dates: a coder counts for a document only if they marked it done {window} "
                "(then with all their codings of it; otherwise missing, not zero)."
            )
        if self.include_gold:
            out.append(f"Gold standard: the curated codings are a coder named {GOLD_NAME!r}.")
        return tuple(out)

    @property
    def dated(self) -> bool:
        return bool(self.date_from or self.date_to)

    def key(self) -> tuple:
        return (
            tuple(sorted(self.documents)),
            tuple(sorted(self.coders)),
            tuple(sorted(map(str, self.codes))),
            self.date_from.isoformat() if self.date_from else "",
            self.date_to.isoformat() if self.date_to else "",
            self.include_gold,
        )


@dataclass
class AgreementInput:
    """What ``compute_report`` needs, plus the ids the views map names back to."""

    documents: list[DocumentData]
    codes: list[str]
    coders: list[str]
    code_ids: dict[str, int] = field(default_factory=dict)
    coder_ids: dict[str, int] = field(default_factory=dict)
    narrowing: tuple[str, ...] = ()  # AgreementNarrowing.describe(): stated by the report


def _on_dates(qs, date_from: dt.date | None, date_to: dt.date | None):
    if date_from:
        qs = qs.filter(updated_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(updated_at__date__lte=date_to)
    return qs


def counted_statuses(
    *,
    project: Project,
    document_ids: Iterable[int] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    """(document_id, coder_id) pairs whose coding counts: the missing-data policy, in one place.

    The coder marked the document done (on a date within ``date_from``..``date_to`` when
    given) and, if the project uses assignments at all, was assigned it. One query: both
    conditions are subqueries.
    """
    assigned = Assignment.objects.filter(document=OuterRef("document"), coder=OuterRef("coder"))
    uses_assignments = Assignment.objects.filter(document__project=project)
    qs = (
        DocumentStatus.objects.filter(document__project=project, state=DocumentStatus.State.DONE)
        .filter(Exists(assigned) | ~Exists(uses_assignments))
        .order_by()
    )
    if document_ids is not None:
        qs = qs.filter(document_id__in=list(document_ids))
    qs = _on_dates(qs, date_from, date_to)
    return qs.values_list("document_id", "coder_id")


def _codings(project: Project, narrowing: AgreementNarrowing):
    qs = Annotation.objects.filter(document__project=project).order_by()
    if narrowing.documents:
        qs = qs.filter(document_id__in=narrowing.documents)
    # No date filter here: the date range selects (document, coder) pairs by their "done"
    # date (counted_statuses), never single codings.
    return qs


def _codes(project: Project, wanted: tuple) -> list[tuple[int, str]]:
    """The codebook's codes as ``(id, path)`` in codebook order, narrowed by ids, paths or
    names (one query). Paths, not names: names are unique among siblings only, and
    ``Israel/positive`` and ``Russia/positive`` are two categories."""
    rows = list(
        Code.objects.filter(codebook_id=project.codebook_id)
        .order_by("order", "name", "id")
        .values_list("id", "name", "parent_id")
    )
    tree = {pk: (name, parent) for pk, name, parent in rows}

    def path(pk: int) -> str:
        parts, seen = [], set()
        while pk in tree and pk not in seen:
            seen.add(pk)
            parts.append(tree[pk][0])
            pk = tree[pk][1]
        return "/".join(reversed(parts))

    coded = [(pk, path(pk)) for pk, _, _ in rows]
    if not wanted:
        return coded
    keys = {str(w) for w in wanted}
    return [
        (pk, p) for pk, p in coded if str(pk) in keys or p in keys or p.rsplit("/", 1)[-1] in keys
    ]


def agreement_input(
    *,
    project: Project,
    documents: Iterable[int] | None = None,
    coders: Iterable[str] | None = None,
    codes: Iterable[int | str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> tuple[list[DocumentData], list[str], list[str]]:
    """``(documents, codes, coders)`` for ``compute_report``, in five queries.

    Codes: the codebook's, in codebook order. Coders: project members (narrowed by username)
    who coded in the narrowed documents or finished one of them, by username. Documents: the
    narrowed documents in project order, each with its text, its counted coders and its spans
    ``(coder, start, end, code name)``.
    """
    narrowing = AgreementNarrowing(
        documents=tuple(documents or ()),
        coders=tuple(coders or ()),
        codes=tuple(codes or ()),
        date_from=date_from,
        date_to=date_to,
    )
    data = agreement_data(project=project, narrowing=narrowing)
    return data.documents, data.codes, data.coders


def agreement_data(*, project: Project, narrowing: AgreementNarrowing) -> AgreementInput:
    """As :func:`agreement_input`, with the name -> id maps the views need (five queries)."""
    code_rows = _codes(project, narrowing.codes)
    code_names = dict(code_rows)
    members = Membership.objects.filter(project=project).order_by()
    if narrowing.coders:
        members = members.filter(user__username__in=narrowing.coders)
    usernames = dict(members.values_list("user_id", "user__username"))
    gold_id = project.gold_user_id if narrowing.include_gold else None
    if gold_id:
        usernames[gold_id] = GOLD_NAME

    docs = Document.objects.filter(project=project).order_by("order", "id")
    if narrowing.documents:
        docs = docs.filter(pk__in=narrowing.documents)
    doc_rows = list(docs.values_list("id", "title", "length", "text"))
    doc_ids = [row[0] for row in doc_rows]

    counted: dict[int, set[int]] = defaultdict(set)
    for document_id, coder_id in counted_statuses(
        project=project,
        document_ids=narrowing.documents or None,
        date_from=narrowing.date_from,
        date_to=narrowing.date_to,
    ):
        if coder_id in usernames:
            counted[document_id].add(coder_id)
    if gold_id:
        # The gold standard counts for every document a curator has curated.
        curated = Curation.objects.filter(document__project=project, version__gt=0)
        if narrowing.documents:
            curated = curated.filter(document_id__in=narrowing.documents)
        curated = _on_dates(curated, narrowing.date_from, narrowing.date_to)
        for document_id in curated.values_list("document_id", flat=True):
            counted[document_id].add(gold_id)

    spans: dict[int, list] = defaultdict(list)
    codings = _codings(project, narrowing).filter(
        coder_id__in=list(usernames), code_id__in=list(code_names)
    )
    coded_by: set[int] = set()
    add = coded_by.add
    for document_id, coder_id, code_id, start, end in codings.values_list(
        "document_id", "coder_id", "code_id", "start_offset", "end_offset"
    ).iterator(chunk_size=CODING_CHUNK):
        add(coder_id)
        spans[document_id].append((usernames[coder_id], start, end, code_names[code_id]))

    present = set(doc_ids)
    finished = {c for d, cs in counted.items() if d in present for c in cs}
    # With a date range, a coder is in the report only through documents finished in it.
    coder_names = sorted(
        usernames[c] for c in (finished if narrowing.dated else coded_by | finished)
    )
    documents = []
    for document_id, title, length, text in doc_rows:
        names = tuple(sorted(usernames[c] for c in counted.get(document_id, ())))
        label = title or _display_title(SimpleNamespace(title=title, text=text[:80]))
        documents.append(
            DocumentData(
                id=document_id,
                length=length,
                coders=names,
                spans=tuple(spans.get(document_id, ())),
                text=text,
                title=label,
            )
        )
    return AgreementInput(
        documents=documents,
        codes=[name for _, name in code_rows],
        coders=coder_names,
        code_ids={name: pk for pk, name in code_rows},
        coder_ids={name: pk for pk, name in usernames.items()},
        narrowing=narrowing.describe(name for _, name in code_rows),
    )


def agreement_fingerprint(*, project: Project, narrowing: AgreementNarrowing) -> tuple:
    """What the report depends on, cheaply (five queries): count and latest change of the
    relevant codings, statuses, assignments, documents and memberships, the codes' names, and
    the narrowing. A new, edited or deleted coding or status changes it, so a cache keyed on
    it is never stale."""
    codings = _codings(project, narrowing).aggregate(
        n=Count("id"), t=Max("updated_at"), m=Max("id")
    )
    statuses = DocumentStatus.objects.filter(document__project=project)
    if narrowing.documents:
        statuses = statuses.filter(document_id__in=narrowing.documents)
    status_agg = statuses.aggregate(
        n=Count("id"), t=Max("updated_at"), done=Count("id", filter=Q(state="done"))
    )
    assignments = Assignment.objects.filter(document__project=project).aggregate(
        n=Count("id"), m=Max("id")
    )
    other = Project.objects.filter(pk=project.pk).aggregate(
        docs=Count("documents", distinct=True),
        members=Count("memberships", distinct=True),
        last_member=Max("memberships__id"),
    )
    return (
        project.pk,
        tuple(_codes(project, narrowing.codes)),
        tuple(sorted(codings.items())),
        tuple(sorted(status_agg.items())),
        tuple(sorted(other.items())),
        tuple(sorted(assignments.items())),
        narrowing.key(),
    )

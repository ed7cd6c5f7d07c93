"""Reads for analysing the coded corpus: retrieval, frequencies, co-occurrence, search, memos.

Every read starts from a ``Scope``: the project, the coders whose codings may be read (already
narrowed by blind coding, see ``visible_coders``), and the user's filters. Queries return one
page (``limit + 1`` rows tell whether a next page exists, no count over the whole result) or an
aggregate grouped in the database, so their cost does not grow with what is shown. Downloads
iterate the same querysets in chunks.

Co-occurrence conditions between a coding ``a`` and another coding ``b`` (same document, same
coder) are written once, in SQL (``_pair_condition``), and used both by the co-occurrence
matrix (pairing the candidates of a sweep, see ``_interval_pairs_sql``) and by retrieval's
Boolean operators (an ``EXISTS``), so a matrix cell and the retrieval it opens always agree.
``benchmarks/bench_analysis.py`` measures these reads at the issue's scale.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.expressions import Expression, RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractYear,
    Greatest,
    Length,
    Replace,
    Substr,
)

from ..models import Annotation, Code, CodingProvenance, Document, Membership, Project

GOLD_LABEL = "gold standard"
CONTEXT_CHARS = 300  # read around a segment to find a sentence either side
OPERATORS = {
    "": "—",
    "and": "overlaps a coding of",
    "not": "does not overlap any coding of",
    "near": "lies within n characters of",
    "paragraph": "is in the same paragraph as",
}
# Full-text search on PostgreSQL: the configuration of the stored vector (migration 0010).
# "simple" does not stem, so it treats every language alike.
FTS_CONFIG = "simple"


@contextmanager
def _aggregate_reads():
    """PostgreSQL settings for the aggregate reads below (``SET LOCAL``: they end with the
    transaction). No JIT: their plans cost enough to trigger it, and at 1.5 M codings compiling
    took 0.5–1.5 s of a 1–2 s query (measured with ``benchmarks/bench_analysis.py``)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


# --- scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What to read. ``coder_ids`` is never empty for a blind annotator (their own id);
    ``None`` means every coder except the gold standard."""

    project: Project
    coder_ids: tuple[int, ...] | None = None
    code_ids: tuple[int, ...] = ()  # empty: every code
    document_ids: tuple[int, ...] = ()
    title: str = ""
    source: str = ""
    date_from: date | None = None
    date_to: date | None = None
    meta_key: str = ""
    meta_value: str = ""
    text: str = ""  # the coded text contains this (case-insensitive)
    op: str = ""
    other_code_ids: tuple[int, ...] = ()
    distance: int = 0


def visible_coders(project_access, user) -> list[tuple[str, str]]:
    """``(value, label)`` of every coder the user may read: under blind coding an annotator
    reads only their own codings (there is no published gold standard for annotators)."""
    project = project_access.project
    if not project_access.sees_all_coders():
        return [(str(user.pk), user.get_username())]
    members = (
        Membership.objects.filter(project=project)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
    choices = [(str(pk), name) for pk, name in members]
    if project.gold_user_id:
        choices.append((str(project.gold_user_id), GOLD_LABEL))
    return choices


def default_coder_ids(project_access, user) -> tuple[int, ...] | None:
    """The coders read when none is chosen: all but the gold standard, or only oneself."""
    return None if project_access.sees_all_coders() else (user.pk,)


def code_tree(project) -> list[tuple[int, str, int | None]]:
    """``(id, path, parent_id)`` of every code of the codebook, sorted by path (one query)."""
    rows = list(
        Code.objects.filter(codebook_id=project.codebook_id).values_list("id", "name", "parent_id")
    )
    by_id = {pk: (name, parent) for pk, name, parent in rows}

    def path(pk):
        parts, seen = [], set()
        while pk is not None and pk in by_id and pk not in seen:
            seen.add(pk)
            parts.append(by_id[pk][0])
            pk = by_id[pk][1]
        return "/".join(reversed(parts))

    return sorted(((pk, path(pk), parent) for pk, (_, parent) in by_id.items()), key=lambda r: r[1])


def with_subcodes(tree, code_ids) -> tuple[int, ...]:
    """The codes and all their descendants."""
    children: dict[int, list[int]] = {}
    for pk, _, parent in tree:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    out, stack = set(), list(code_ids)
    while stack:
        pk = stack.pop()
        if pk not in out:
            out.add(pk)
            stack.extend(children.get(pk, ()))
    return tuple(sorted(out))


def documents_in(scope: Scope):
    qs = Document.objects.filter(project=scope.project)
    if scope.document_ids:
        qs = qs.filter(pk__in=scope.document_ids)
    if scope.title:
        qs = qs.filter(title__icontains=scope.title)
    if scope.source:
        qs = qs.filter(source__icontains=scope.source)
    if scope.date_from:
        qs = qs.filter(published__gte=scope.date_from)
    if scope.date_to:
        qs = qs.filter(published__lte=scope.date_to)
    if scope.meta_key:
        qs = qs.alias(meta_text=KeyTextTransform(scope.meta_key, "metadata"))
        qs = (
            qs.filter(meta_text=scope.meta_value)
            if scope.meta_value
            else qs.filter(meta_text__isnull=False)
        )
    return qs


def _document_filters(scope: Scope) -> bool:
    return bool(
        scope.document_ids
        or scope.title
        or scope.source
        or scope.date_from
        or scope.date_to
        or scope.meta_key
    )


def codings_in(scope: Scope, *, code_ids=None):
    """The codings in scope (no ordering): coders, codes, documents, text and operator."""
    qs = Annotation.objects.filter(document__project=scope.project)
    if scope.coder_ids is not None:
        qs = qs.filter(coder_id__in=scope.coder_ids)
    elif scope.project.gold_user_id:
        qs = qs.exclude(coder_id=scope.project.gold_user_id)
    code_ids = scope.code_ids if code_ids is None else code_ids
    if code_ids:
        qs = qs.filter(code_id__in=code_ids)
    if _document_filters(scope):
        qs = qs.filter(document__in=documents_in(scope).values("pk"))
    if scope.text:
        qs = qs.alias(
            _coded=Substr(
                "document__text", F("start_offset") + 1, F("end_offset") - F("start_offset")
            )
        ).filter(_coded__icontains=scope.text)
    if scope.op and scope.other_code_ids:
        qs = qs.filter(_pair_exists(scope.op, scope.other_code_ids, scope.distance))
    return qs


# --- co-occurrence conditions (one definition, used by the matrix and by retrieval) -----------


def _pair_condition(mode: str, distance: int) -> tuple[str, list]:
    """SQL true when codings ``a`` and ``b`` co-occur (``d`` is their document).

    overlap: they share a character. near: the gap between them is at most ``distance``
    characters (overlapping counts). paragraph: they overlap, or no line break lies between
    them (the workspace's paragraphs are the lines of the text).
    """
    if mode in ("and", "not", "overlap"):
        return "b.start_offset < a.end_offset AND b.end_offset > a.start_offset", []
    if mode == "near":
        return (
            "b.start_offset <= a.end_offset + %s AND b.end_offset + %s >= a.start_offset",
            [distance, distance],
        )
    if mode == "paragraph":
        pg = connection.vendor == "postgresql"
        least, greatest = ("LEAST", "GREATEST") if pg else ("MIN", "MAX")
        find = "strpos({}, chr(10))" if pg else "instr({}, char(10))"
        gap_start = f"{least}(a.end_offset, b.end_offset)"
        gap_len = f"{greatest}(a.start_offset, b.start_offset) - {gap_start}"
        gap = f"substr(d.text, {gap_start} + 1, {gap_len})"
        return (
            "CASE WHEN b.start_offset < a.end_offset AND b.end_offset > a.start_offset "
            f"THEN 1 WHEN {find.format(gap)} = 0 THEN 1 ELSE 0 END = 1",
            [],
        )
    raise ValueError(f"unknown co-occurrence mode {mode!r}")


def _in_list(column: str, ids) -> tuple[str, list]:
    ids = list(ids)
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def _pair_exists(op: str, other_code_ids, distance: int):
    """A filter on codings: one of ``other_code_ids`` co-occurs (``not``: none overlaps)."""
    condition, params = _pair_condition(op, distance)
    # ``a`` is the outer coding itself (no self-join by id): PostgreSQL then runs the EXISTS
    # as a merge semi-join of two index-only scans of ``annotation_code_doc``.
    condition = condition.replace("a.", "annotator_annotation.")
    codes, code_params = _in_list("b.code_id", other_code_ids)
    join = " JOIN annotator_document d ON d.id = b.document_id" if op == "paragraph" else ""
    sql = (
        # Fixed SQL text; every value is a query parameter.
        f"EXISTS (SELECT 1 FROM annotator_annotation b{join}"  # noqa: S608
        " WHERE b.document_id = annotator_annotation.document_id"
        " AND b.coder_id = annotator_annotation.coder_id AND b.id <> annotator_annotation.id"
        f" AND {codes} AND {condition})"
    )
    exists = RawSQL(sql, [*code_params, *params], output_field=BooleanField())  # noqa: S611
    return ~Q(exists) if op == "not" else Q(exists)


# --- retrieval --------------------------------------------------------------------------------


@dataclass
class Segment:
    id: int
    document_id: int
    document_title: str
    code_id: int
    code_path: str
    coder_id: int
    coder: str
    start: int
    end: int
    text: str
    memo: str
    before: str
    after: str
    paragraph: int
    auto_coded: bool = False


@dataclass
class SegmentPage:
    segments: list[Segment]
    page: int
    has_next: bool
    groups: list[tuple[int, str, list[Segment]]] = field(default_factory=list)


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n")


def _context(before: str, text: str, after: str, *, at_text_start: bool) -> tuple[str, str]:
    """The rest of the segment's sentence plus one sentence either side (line breaks end
    sentences too and are shown as ¶)."""
    cuts = [m.end() for m in _SENTENCE_END.finditer(before)]
    if len(cuts) >= 2:
        before = before[cuts[-2] :]
    elif not at_text_start:
        before = "…" + before
    ends = [m.start() for m in _SENTENCE_END.finditer(after)]
    # When the segment itself ends a sentence, only the next sentence follows.
    wanted = 1 if text.rstrip()[-1:] in (".", "!", "?", "…") else 2
    if len(ends) >= wanted:
        after = after[: ends[wanted - 1]].rstrip()
    elif len(after) >= CONTEXT_CHARS:
        after = after + "…"
    return before.replace("\n", " ¶ "), after.replace("\n", " ¶ ")


def _segment_values(qs):
    window = Greatest(F("start_offset") - CONTEXT_CHARS, Value(0))
    newlines_before = Length(Substr("document__text", 1, F("start_offset"))) - Length(
        Replace(Substr("document__text", 1, F("start_offset")), Value("\n"), Value(""))
    )
    return qs.annotate(
        _text=Substr("document__text", F("start_offset") + 1, F("end_offset") - F("start_offset")),
        _ctx_start=window,
        _before=Substr("document__text", window + 1, F("start_offset") - window),
        _after=Substr("document__text", F("end_offset") + 1, CONTEXT_CHARS),
        _para=newlines_before,
        _opening=Substr("document__text", 1, 80),
        # EXISTS, not COUNT: an aggregate would group the whole result before the LIMIT.
        _auto=Exists(CodingProvenance.objects.filter(annotation=OuterRef("pk"))),
    ).values_list(
        "id",
        "document_id",
        "document__title",
        "_opening",
        "code_id",
        "coder_id",
        "coder__username",
        "start_offset",
        "end_offset",
        "_text",
        "memo",
        "_before",
        "_after",
        "_ctx_start",
        "_para",
        "_auto",
    )


def _title(title: str, opening: str) -> str:
    return Document(title=title, text=opening or "").display_title


def _segments(rows, paths, gold_id) -> list[Segment]:
    out = []
    for (
        pk,
        doc_id,
        title,
        opening,
        code_id,
        coder_id,
        username,
        start,
        end,
        text,
        memo,
        before,
        after,
        ctx_start,
        para,
        auto,
    ) in rows:
        before, after = _context(
            before or "", text or "", after or "", at_text_start=ctx_start == 0
        )
        out.append(
            Segment(
                id=pk,
                document_id=doc_id,
                document_title=_title(title, opening),
                code_id=code_id,
                code_path=paths.get(code_id, "?"),
                coder_id=coder_id,
                coder=GOLD_LABEL if coder_id == gold_id else username,
                start=start,
                end=end,
                text=text or "",
                memo=memo,
                before=before,
                after=after,
                paragraph=para or 0,
                auto_coded=bool(auto),
            )
        )
    return out


def code_paths_of(project) -> dict[int, str]:
    return {pk: path for pk, path, _ in code_tree(project)}


ORDER = ("document_id", "start_offset", "end_offset", "code_id", "coder_id", "id")


def segment_page(scope: Scope, *, page: int = 1, per_page: int = 50) -> SegmentPage:
    """One page of matching segments in document and text order, grouped by document."""
    offset = (page - 1) * per_page
    # Two steps: the page's ids first (an index-only scan, however many codings the filters
    # and operators reject on the way), then the text and context of those rows alone.
    ids = list(
        codings_in(scope)
        .order_by(*ORDER)
        .values_list("id", flat=True)[offset : offset + per_page + 1]
    )
    has_next = len(ids) > per_page
    rows = _segment_values(Annotation.objects.filter(id__in=ids[:per_page]).order_by(*ORDER))
    segments = _segments(rows, code_paths_of(scope.project), scope.project.gold_user_id)
    groups: list[tuple[int, str, list[Segment]]] = []
    for s in segments:
        if not groups or groups[-1][0] != s.document_id:
            groups.append((s.document_id, s.document_title, []))
        groups[-1][2].append(s)
    return SegmentPage(segments=segments, page=page, has_next=has_next, groups=groups)


def segments_iter(scope: Scope, *, chunk: int = 2000):
    """Every matching segment, read in chunks of ``chunk`` (for downloads)."""
    paths = code_paths_of(scope.project)
    gold = scope.project.gold_user_id
    # Keyset pagination on the ordering: each chunk is one bounded query.
    qs = codings_in(scope).order_by("id")
    last = 0
    while True:
        ids = list(qs.filter(id__gt=last).values_list("id", flat=True)[:chunk])
        if not ids:
            return
        last = ids[-1]
        rows = _segment_values(Annotation.objects.filter(id__in=ids).order_by(*ORDER))
        yield from _segments(rows, paths, gold)


# --- frequencies ------------------------------------------------------------------------------

VARIABLES = {
    "document": "Document",
    "source": "Source",
    "year": "Year published",
    "all": "All documents",
}


def metadata_keys(project, *, sample: int = 2000) -> list[str]:
    """Metadata keys of (at most ``sample``) documents of the project."""
    keys: set[str] = set()
    for metadata in Document.objects.filter(project=project).values_list("metadata", flat=True)[
        :sample
    ]:
        if isinstance(metadata, dict):
            keys.update(str(k) for k in metadata)
    return sorted(keys)


def _variable(variable: str, prefix: str = ""):
    if variable == "document":
        return F(prefix + "id" if not prefix else prefix[:-2] + "_id")
    if variable == "source":
        return F(prefix + "source")
    if variable == "year":
        return ExtractYear(prefix + "published")
    if variable == "all":
        return Value("all")
    if variable.startswith("metadata."):
        return KeyTextTransform(variable.removeprefix("metadata."), prefix + "metadata")
    raise ValueError(f"unknown variable {variable!r}")


def _words():
    """Words of a document: the count stored at import; for a row without one (written
    around ``document_create``), approximately whitespace (spaces, line breaks) plus one."""
    spaces = Length("text") - Length(Replace("text", Value(" "), Value("")))
    breaks = Length("text") - Length(Replace("text", Value("\n"), Value("")))
    return Coalesce(F("word_count"), spaces + breaks + 1)


@dataclass
class FrequencyTable:
    variable: str
    values: list[str]  # column labels
    codes: list[tuple[int, str]]
    # (code_id, value) -> {"segments", "documents", "characters", "per_1000_words"}
    cells: dict[tuple[int, str], dict]
    totals: dict[int, dict]  # per code over every value
    words: dict[str, int]
    documents: dict[str, int]


def _label(value) -> str:
    return "(none)" if value in (None, "") else str(value)


def frequency_table(scope: Scope, variable: str) -> FrequencyTable:
    """Code × variable: segments, documents with the code, coded characters, segments per
    1,000 words of the documents having that value. Two grouped queries."""
    paths = code_paths_of(scope.project)
    # Codings are first grouped per (code, document): one pass over the codings in the order
    # of ``annotation_code_doc`` (an index-only scan on PostgreSQL, no sort), a few rows per
    # document; only those rows meet the documents' variable. "Documents with the code" is then a plain
    # count of rows instead of a COUNT(DISTINCT) over every coding.
    per_document = (
        codings_in(scope)
        .values(_code=F("code_id"), _doc=F("document_id"))
        .annotate(n=Count("id"), chars=Sum(F("end_offset") - F("start_offset")))
        .order_by()
    )
    values = documents_in(scope).annotate(_value=_variable(variable)).values("id", "_value")
    per_sql, per_params = per_document.query.sql_with_params()
    values_sql, values_params = values.order_by().query.sql_with_params()
    sql = (
        # Compiled querysets; every value is a query parameter.
        "SELECT v._value, x._code, SUM(x.n), COUNT(*), SUM(x.chars)"  # noqa: S608
        f" FROM ({per_sql}) x JOIN ({values_sql}) v ON v.id = x._doc"
        " GROUP BY v._value, x._code"
    )
    with _aggregate_reads(), connection.cursor() as cursor:
        cursor.execute(sql, [*per_params, *values_params])
        # PostgreSQL sums bigints as numeric (Decimal): counts are ints.
        rows = [
            {
                "_value": v,
                "code_id": c,
                "segments": int(n),
                "documents": int(d),
                "characters": int(ch or 0),
            }
            for v, c, n, d, ch in cursor.fetchall()
        ]
    docs = (
        documents_in(scope)
        .annotate(_value=_variable(variable))
        .values("_value")
        .annotate(n=Count("id"), words=Sum(_words()))
        .order_by()
    )
    words = {_label(r["_value"]): r["words"] or 0 for r in docs}
    documents = {_label(r["_value"]): r["n"] for r in docs}
    cells: dict[tuple[int, str], dict] = {}
    totals: dict[int, dict] = {}
    for r in rows:
        value = _label(r["_value"])
        cell = {k: r[k] or 0 for k in ("segments", "documents", "characters")}
        cells[(r["code_id"], value)] = cell
        total = totals.setdefault(r["code_id"], {"segments": 0, "documents": 0, "characters": 0})
        for k in total:
            total[k] += cell[k]
    all_words = sum(words.values())
    for (_, value), cell in cells.items():
        w = words.get(value, 0)
        cell["per_1000_words"] = round(cell["segments"] * 1000 / w, 3) if w else None
    for total in totals.values():
        total["per_1000_words"] = (
            round(total["segments"] * 1000 / all_words, 3) if all_words else None
        )
    values = sorted(set(words) | {v for _, v in cells}, key=_sort_key)
    codes = [(pk, paths.get(pk, "?")) for pk in sorted(totals, key=lambda pk: paths.get(pk, ""))]
    if scope.code_ids:
        codes = [(pk, paths.get(pk, "?")) for pk in scope.code_ids if pk in paths]
    return FrequencyTable(variable, values, codes, cells, totals, words, documents)


def _sort_key(value: str):
    return (value == "(none)", len(value) if value.isdigit() else 0, value)


# --- co-occurrence ----------------------------------------------------------------------------


@dataclass
class CooccurrenceMatrix:
    codes: list[tuple[int, str]]
    counts: dict[int, int]  # codings per code in scope (the diagonal)
    pairs: dict[tuple[int, int], int]  # co-occurring (a, b) pairs
    segments: dict[tuple[int, int], int]  # codings of the first code with a partner of the other

    def jaccard(self, a: int, b: int) -> float | None:
        """|A-segments with a B partner ∪ B-segments with an A partner| / |A ∪ B segments|:
        the Jaccard index of the sets {A} ∪ {B co-occurring with A} and {B} ∪ {A co-occurring
        with B}. None when neither code has a segment."""
        total = self.counts.get(a, 0) + self.counts.get(b, 0)
        if a == b:
            return 1.0 if self.counts.get(a) else None
        if not total:
            return None
        return (self.segments.get((a, b), 0) + self.segments.get((b, a), 0)) / total

    def value(self, a: int, b: int, measure: str):
        if measure == "jaccard":
            return self.jaccard(a, b)
        return self.counts.get(a, 0) if a == b else self.pairs.get((a, b), 0)


def cooccurrence(scope: Scope, code_ids, mode: str, distance: int) -> CooccurrenceMatrix:
    """Code × code co-occurrence among ``code_ids``: one count and one pair query."""
    paths = code_paths_of(scope.project)
    code_ids = [pk for pk in code_ids if pk in paths]
    base = codings_in(scope, code_ids=code_ids)
    if mode == "paragraph":
        sql, params = _paragraph_pairs_sql(base, code_ids)
    else:
        sql, params = _interval_pairs_sql(base, mode, distance)
    pairs, segments = {}, {}
    with _aggregate_reads(), connection.cursor() as cursor:
        counts = dict(base.values("code_id").annotate(n=Count("id")).values_list("code_id", "n"))
        cursor.execute(sql, params)
        for a, b, n_pairs, n_segments in cursor.fetchall():
            pairs[(a, b)] = n_pairs
            segments[(a, b)] = n_segments
    return CooccurrenceMatrix(
        codes=[(pk, paths[pk]) for pk in code_ids], counts=counts, pairs=pairs, segments=segments
    )


_PAIR_COUNTS = (
    "SELECT a.code_id, b.code_id, COUNT(*), COUNT(DISTINCT a.id)"
    " FROM {source} a JOIN {source} b"
    " ON b.document_id = a.document_id AND b.coder_id = a.coder_id AND b.code_id <> a.code_id"
    "{join} WHERE {where} GROUP BY a.code_id, b.code_id"
)


def _interval_pairs_sql(base, mode: str, distance: int) -> tuple[str, list]:
    """Pairs for *overlap* and *within n characters*: conditions on offsets only.

    A self-join of every coding with every other of its document and coder grows with the
    square of the codings per document. Instead, one pass in text order over each (document,
    coder) — window functions over ``annotation_doc_coder_start``, no sort — keeps only the
    codings that co-occur with a neighbour: a coding co-occurs with an earlier one exactly when
    it starts within ``distance`` of the furthest end so far (``reach``; for overlap, strictly
    before it), and with a later one when the next coding does so. Candidates are numbered in
    runs (a new run starts at a candidate joined to no earlier coding), and only codings of the
    same run are paired, under ``_pair_condition`` (the same SQL retrieval uses), so the
    counts are exact.
    """
    condition, params = _pair_condition("near" if mode == "near" else "overlap", distance)
    # The furthest end so far, this coding included (NULL reach_before: the first coding).
    reach = "(CASE WHEN reach_before > end_offset THEN reach_before ELSE end_offset END)"
    if mode == "near":
        joined_before = "start_offset <= reach_before + %s"
        joined_next = f"next_start <= {reach} + %s"
        window_params = [distance, distance]
    else:
        joined_before = "start_offset < reach_before"
        joined_next = f"next_start < {reach}"
        window_params = []
    scoped_sql, scoped_params = (
        base.order_by()
        .values_list("id", "document_id", "coder_id", "code_id", "start_offset", "end_offset")
        .query.sql_with_params()
    )
    # A total order matching ``annotation_doc_coder_start``: no sort, and every window below
    # sees the codings in the same order (ties in start offset included).
    window = "PARTITION BY document_id, coder_id ORDER BY start_offset, end_offset, code_id, id"
    sql = (
        # Compiled querysets and fixed SQL text; every value is a query parameter.
        f"WITH s (id, document_id, coder_id, code_id, start_offset, end_offset) AS ({scoped_sql}),"  # noqa: S608
        # LEAD ignores the frame: giving both the same window computes them in one pass.
        " w AS (SELECT s.*,"
        f" MAX(end_offset) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        " AS reach_before,"
        f" LEAD(start_offset) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        " AS next_start FROM s),"
        " f AS (SELECT id, document_id, coder_id, code_id, start_offset, end_offset,"
        f" CASE WHEN {joined_before} THEN 1 ELSE 0 END AS joined,"
        f" CASE WHEN {joined_next} THEN 1 ELSE 0 END AS joins_next FROM w),"
        # Runs of candidates joined to their predecessor: a coding's partners all lie in its
        # run (the previous coding of a joined one is always a candidate too).
        f" c AS (SELECT f.*, SUM(1 - joined) OVER ({window} ROWS UNBOUNDED PRECEDING)"
        " AS run FROM f WHERE joined = 1 OR joins_next = 1) "
        + _PAIR_COUNTS.format(source="c", join=" AND b.run = a.run", where=condition)
    )
    return sql, [*scoped_params, *window_params, *params]


def _paragraph_pairs_sql(base, code_ids) -> tuple[str, list]:
    """Pairs in the same paragraph: the condition reads the text between two codings, so
    every pair of the same document and coder is tested."""
    scoped_sql, scoped_params = base.values("id").query.sql_with_params()
    condition, params = _pair_condition("paragraph", 0)
    codes_sql, codes_params = _in_list("b.code_id", code_ids)
    sql = _PAIR_COUNTS.format(
        source="annotator_annotation",
        join=" JOIN annotator_document d ON d.id = a.document_id",
        where=f"a.id IN ({scoped_sql}) AND {codes_sql} AND {condition}",
    )
    return sql, [*scoped_params, *codes_params, *params]


# --- full-text search -------------------------------------------------------------------------


@dataclass
class SearchHit:
    document_id: int
    title: str
    source: str
    published: date | None
    rank: float
    snippet_html: str
    offset: int | None  # first hit, code points; None if the terms were not found verbatim
    paragraph: int


def search_terms(query: str) -> list[str]:
    return [t for t in re.findall(r"\w[\w'’-]*", query) if t]


_MARK_OPEN, _MARK_CLOSE = "\u2063\u2064", "\u2064\u2063"  # invisible, never in typed text


def _snippet(text: str, terms: list[str], width: int = 90) -> tuple[str, int | None]:
    from django.utils.html import escape

    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    m = pattern.search(text) if pattern else None
    if pattern is None or m is None:
        return escape(text[: 2 * width]) + ("…" if len(text) > 2 * width else ""), None
    lo, hi = max(0, m.start() - width), min(len(text), m.end() + width)
    piece = text[lo:hi]
    marked = pattern.sub(lambda x: _MARK_OPEN + x.group(0) + _MARK_CLOSE, piece)
    html = str(escape(marked)).replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>")
    return ("…" if lo else "") + html + ("…" if hi < len(text) else ""), m.start()


def search_documents(project, query: str, *, page: int = 1, per_page: int = 20):
    """Documents matching every term of ``query``, best first; ``(hits, has_next)``.

    PostgreSQL: ``websearch_to_tsquery`` against the stored ``search_vector`` column
    (``to_tsvector('simple', text)``, GIN-indexed), ranked by ``ts_rank_cd``. SQLite: every term as a case-insensitive substring,
    ranked by the number of occurrences. The snippet and the link target are found in
    Python on the page's documents only.
    """
    terms = search_terms(query)
    if not terms:
        return [], False
    qs = Document.objects.filter(project=project)
    if connection.vendor == "postgresql":
        # The stored, GIN-indexed vector (migration 0010): ranking reads it instead of parsing
        # every matching text again.
        vector = "annotator_document.search_vector"
        tsquery = f"websearch_to_tsquery('{FTS_CONFIG}'::regconfig, %s)"
        qs = qs.filter(
            RawSQL(f"{vector} @@ {tsquery}", [query], output_field=BooleanField())  # noqa: S611
        ).annotate(rank=RawSQL(f"ts_rank_cd({vector}, {tsquery})", [query]))  # noqa: S611
    else:
        rank: Expression = Value(0, output_field=IntegerField())
        for term in terms:
            qs = qs.filter(text__icontains=term)
            occurrences = (
                Length("text") - Length(Replace(_lower("text"), Value(term.lower()), Value("")))
            ) / len(term)
            rank = rank + occurrences
        qs = qs.annotate(rank=Cast(rank, FloatField()))
    offset = (page - 1) * per_page
    ids = list(
        qs.order_by("-rank", "order", "id").values_list("id", "rank")[
            offset : offset + per_page + 1
        ]
    )
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    docs = Document.objects.in_bulk([pk for pk, _ in ids])
    hits = []
    for pk, score in ids:
        d = docs[pk]
        snippet, at = _snippet(d.text, terms)
        hits.append(
            SearchHit(
                document_id=pk,
                title=d.display_title,
                source=d.source,
                published=d.published,
                rank=round(float(score or 0), 4),
                snippet_html=snippet,
                offset=at,
                paragraph=d.text.count("\n", 0, at) if at is not None else 0,
            )
        )
    return hits, has_next


def _lower(name):
    from django.db.models.functions import Lower

    return Lower(name)


# --- memos ------------------------------------------------------------------------------------


def memo_page(scope: Scope, *, query: str = "", page: int = 1, per_page: int = 50):
    """Codings with a memo, by code and coder; ``query`` searches the memos."""
    qs = codings_in(scope).exclude(memo="")
    if query:
        qs = qs.filter(memo__icontains=query)
    qs = qs.order_by("code__name", "coder__username", "document_id", "start_offset", "id")
    offset = (page - 1) * per_page
    rows = list(_segment_values(qs)[offset : offset + per_page + 1])
    segments = _segments(rows[:per_page], code_paths_of(scope.project), scope.project.gold_user_id)
    return segments, len(rows) > per_page


def memos_iter(scope: Scope, *, query: str = "", chunk: int = 2000):
    qs = codings_in(scope).exclude(memo="")
    if query:
        qs = qs.filter(memo__icontains=query)
    paths, gold = code_paths_of(scope.project), scope.project.gold_user_id
    last = 0
    while True:
        ids = list(qs.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:chunk])
        if not ids:
            return
        last = ids[-1]
        yield from _segments(
            _segment_values(Annotation.objects.filter(id__in=ids).order_by(*ORDER)), paths, gold
        )


# --- provenance: auto-coded codings -----------------------------------------------------------


def auto_coded_q() -> Q:
    """Filter for ``Annotation`` querysets: the coding was stored by auto-coding (it has a
    ``CodingProvenance``). ``~auto_coded_q()`` keeps the codings made by hand (or imported).

    The one definition of "auto-coded" for readers: the agreement report's include/exclude
    choice, every export's count and retrieval's "auto-coded" mark use it.
    """
    return Q(Exists(CodingProvenance.objects.filter(annotation=OuterRef("pk"))))


def auto_coded_ids(project):
    """Ids of the project's auto-coded codings (a queryset, usable in ``id__in``)."""
    return CodingProvenance.objects.filter(annotation__document__project=project).values(
        "annotation_id"
    )


def auto_coded_count(codings) -> dict[str, int]:
    """``{"codings": n, "auto_coded": m}`` for an ``Annotation`` queryset, in one query: how
    many of them came from auto-coding (what every export and the report state)."""
    counts = codings.order_by().aggregate(
        codings=Count("id"), auto_coded=Count("id", filter=auto_coded_q())
    )
    return {k: counts[k] or 0 for k in ("codings", "auto_coded")}

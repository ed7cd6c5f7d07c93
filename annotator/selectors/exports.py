"""Reads for the exports: the ORM side, producing the plain rows ``annotator.exports`` writes.

Documents are read in batches by id and their codings through a server-side cursor, so an
export of a million codings keeps a flat, small memory footprint. Each document's text is
fetched once per export and the coded text is sliced from it in Python: asking the database for
``substring(text ...)`` per coding makes PostgreSQL de-TOAST the text for every row (see
the README's Benchmarks).

The codings CSV reads its codings through a raw DB-API cursor, with the timestamps already
formatted as ISO 8601 text by the database: Django's per-row conversions (parsing a datetime
twice per coding) held that export to a third of its target speed.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils.text import slugify

from ..exports import formats
from ..exports.rows import CodeRow, CodingRow, DocumentRow, MemberRow, ProjectRow, StatusRow
from ..models import Annotation, Code, Document, DocumentStatus, Membership, Project

# Rows fetched per round trip: 200 texts of ~5 KB, or 10,000 codings, are a few MB at most.
DOCUMENT_BATCH = 200
CODING_CHUNK = 10_000
# (start, end, coder, code path): C-level key for sorting a million codings.
_CODING_ORDER = itemgetter(2, 3, 0, 1)
_DOCUMENT_FIELDS = (
    "id",
    "text",
    "external_id",
    "title",
    "source",
    "author",
    "url",
    "published",
    "metadata",
    "order",
    "created_at",
    "text_sha256",
)


@dataclass(frozen=True)
class ExportNarrowing:
    """Which coders, codes and documents an export keeps; an empty tuple keeps all.

    Coders are user ids. A later coder set (such as a gold standard) is one more way of choosing
    the codings: it would narrow ``codings_queryset`` the same way.
    """

    coder_ids: tuple[int, ...] = ()
    code_ids: tuple[int, ...] = ()
    document_ids: tuple[int, ...] = ()


def code_rows(codebook_id: int) -> tuple[CodeRow, ...]:
    """The codebook's codes with their paths, parents before children, in codebook order."""
    codes = list(
        Code.objects.filter(codebook_id=codebook_id)
        .order_by("order", "name")
        .values_list(
            "id",
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
    )
    by_id = {row[0]: row for row in codes}
    paths: dict[int, str] = {}

    def path(code_id: int, seen=()) -> str:
        if code_id not in paths:
            row = by_id[code_id]
            parent = row[2]
            prefix = path(parent, (*seen, code_id)) + "/" if parent and parent not in seen else ""
            paths[code_id] = prefix + row[1]
        return paths[code_id]

    rows = []
    for row in codes:
        parent = row[2]
        rows.append(
            CodeRow(
                path=path(row[0]),
                name=row[1],
                parent_path=path(parent) if parent else "",
                color=row[3],
                definition=row[4],
                inclusion_criteria=row[5],
                exclusion_criteria=row[6],
                example=row[7],
                shortcut=row[8],
                order=row[9],
                is_active=row[10],
            )
        )
    rows.sort(key=lambda r: r.path.count("/"))
    return tuple(rows)


def code_paths(codebook_id: int) -> dict[int, str]:
    """Code id -> path. By id: names are unique among siblings only, not in the codebook."""
    tree = {
        pk: (name, parent)
        for pk, name, parent in Code.objects.filter(codebook_id=codebook_id).values_list(
            "id", "name", "parent_id"
        )
    }
    paths: dict[int, str] = {}

    def path(pk: int, seen=()) -> str:
        if pk not in paths:
            name, parent = tree[pk]
            inside = parent in tree and parent not in seen
            paths[pk] = path(parent, (*seen, pk)) + "/" + name if inside else name
        return paths[pk]

    return {pk: path(pk) for pk in tree}


def documents_queryset(project: Project, narrowing: ExportNarrowing):
    qs = Document.objects.filter(project=project)
    if narrowing.document_ids:
        qs = qs.filter(pk__in=narrowing.document_ids)
    return qs


def codings_queryset(project: Project | None, narrowing: ExportNarrowing):
    """The narrowed codings; ``project=None`` when the caller filters by document ids itself
    (the join to documents then makes SQLite scan every coding for each batch)."""
    qs = Annotation.objects.all()
    if project is not None:
        qs = qs.filter(document__project=project)
    if narrowing.coder_ids:
        qs = qs.filter(coder_id__in=narrowing.coder_ids)
    if narrowing.code_ids:
        qs = qs.filter(code_id__in=narrowing.code_ids)
    if narrowing.document_ids:
        qs = qs.filter(document_id__in=narrowing.document_ids)
    return qs


def export_project(
    project: Project,
    narrowing: ExportNarrowing = ExportNarrowing(),
    *,
    coders: bool = True,
    metadata_keys: bool = True,
) -> ProjectRow:
    """Everything an export says besides the documents (a handful of small queries).

    The coder list and the metadata keys each read a whole table; formats that do not need
    them (the codings CSV) skip them.
    """
    User = get_user_model()
    usernames: tuple[str, ...] = ()
    if coders:
        coder_ids = codings_queryset(project, narrowing).values("coder_id")
        usernames = tuple(
            User.objects.filter(pk__in=coder_ids)
            .order_by(User.USERNAME_FIELD)
            .values_list(User.USERNAME_FIELD, flat=True)
        )
    keys: set[str] = set()
    if metadata_keys:
        for metadata in (
            documents_queryset(project, narrowing).values_list("metadata", flat=True).iterator()
        ):
            keys.update(metadata or {})
    codebook = project.codebook
    return ProjectRow(
        name=project.name,
        description=project.description,
        granularity=project.granularity,
        blind_coding=project.blind_coding,
        created_at=project.created_at,
        codebook_name=codebook.name,
        codebook_description=codebook.description,
        codes=code_rows(codebook.pk),
        members=tuple(
            MemberRow(username, role)
            for username, role in Membership.objects.filter(project=project)
            .order_by("user__username")
            .values_list("user__username", "role")
        ),
        coders=usernames,
        metadata_keys=tuple(sorted(keys)),
    )


def _text_time(column: str) -> RawSQL:
    """A coding's timestamp as text from the database, exactly as ``exports.common.iso`` writes
    it: UTC, ``T``, microseconds only when there are any (``datetime.isoformat`` drops a zero
    fraction), ``Z``. Formatting in SQL spares Python a datetime parse per value.

    PostgreSQL: the ISO text cast of the UTC time, ``YYYY-MM-DD HH:MM:SS[.f]`` with trailing
    zeros of the fraction dropped, padded back to six digits; two to three times cheaper than
    ``to_char`` (``_export_transaction`` sets the ISO date style it relies on). SQLite stores
    Django's naive UTC text, ``YYYY-MM-DD HH:MM:SS[.ffffff]``, possibly with an offset when the
    row came from raw SQL (Python's sqlite3 adapter writes ``+00:00``), which ``strftime``
    normalises to UTC. ``%`` is doubled because the SQL runs with parameters.
    """
    quote = connection.ops.quote_name
    name = f"{quote(Annotation._meta.db_table)}.{quote(column)}"
    if connection.vendor == "postgresql":
        utc = f"({name} AT TIME ZONE 'UTC')::text"
        sql = (
            f"replace(rpad({utc}, CASE WHEN length({utc}) = 19 THEN 19 ELSE 26 END, '0'),"
            " ' ', 'T') || 'Z'"
        )
    else:
        # strftime costs 3 µs a call: only for values Django does not write (an offset, a
        # zero fraction); ``length`` is evaluated once by the simple CASE.
        general = (
            f"strftime('%%Y-%%m-%%dT%%H:%%M:%%S', {name}) || CASE WHEN substr({name}, 20, 1) = '.'"
            f" AND substr({name}, 21, 6) <> '000000' THEN '.' || substr({name}, 21, 6) ELSE ''"
            " END || 'Z'"
        )
        sql = (
            f"CASE length({name}) WHEN 26 THEN CASE WHEN substr({name}, 21, 6) <> '000000'"
            f" THEN replace({name}, ' ', 'T') || 'Z' ELSE {general} END"
            f" WHEN 19 THEN replace({name}, ' ', 'T') || 'Z' ELSE {general} END"
        )
    # Built from constants and quoted table and column names only: nothing from a request.
    return RawSQL(sql, ())  # noqa: S611


@contextmanager
def _export_transaction():
    """One transaction for an export's streams: a consistent snapshot across them, and
    PostgreSQL's server-side cursors live in it rather than being copied out ``WITH HOLD``."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL DateStyle TO 'ISO'")
        yield


def _raw_rows(queryset) -> Iterator[tuple]:
    """The rows of a ``values_list`` queryset from a plain DB-API cursor, without Django's
    per-row conversions; on PostgreSQL a server-side cursor, fetched ``CODING_CHUNK`` at a time.

    Run inside a transaction, so the named cursor needs no ``WITH HOLD`` copy of the result.
    The next chunk is fetched in a thread while the caller works through this one: the
    database sorts, formats and sends rows while Python writes them out (the drivers release
    the GIL while they wait). At most two chunks are held at a time.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor, ThreadPoolExecutor(max_workers=1) as fetcher:
        cursor.execute(sql, params)
        chunk = fetcher.submit(cursor.fetchmany, CODING_CHUNK)
        while rows := chunk.result():
            chunk = fetcher.submit(cursor.fetchmany, CODING_CHUNK)
            yield from rows


def _coding_rows(codings, text_times: bool) -> Iterator[tuple]:
    """(document id, coder id, code id, start, end, memo, created, updated) by document id."""
    fields = ("document_id", "coder_id", "code_id", "start_offset", "end_offset", "memo")
    if text_times:
        return _raw_rows(
            codings.annotate(
                created_text=_text_time("created_at"), updated_text=_text_time("updated_at")
            ).values_list(*fields, "created_text", "updated_text")
        )
    return codings.values_list(*fields, "created_at", "updated_at").iterator(
        chunk_size=CODING_CHUNK
    )


def export_documents(
    project: Project,
    narrowing: ExportNarrowing = ExportNarrowing(),
    *,
    with_statuses: bool = False,
    text_times: bool = False,
) -> Iterator[DocumentRow]:
    """The narrowed documents by id, each with its narrowed codings in text order.

    Two streams ordered by document id, merged here: the documents (each text read once) and
    the codings (one server-side cursor over the whole project). One ordered pass keeps the
    plan simple for both databases; a query per batch of documents made PostgreSQL scan the
    whole table per batch. Documents come in id order, which is creation order, and an import
    creates them in file order, so a re-export lists them in the same order.
    Codings are sorted by (start, end, coder, code path): natural keys, so the order is the
    same in any database the data is restored into.
    ``text_times``: the codings' timestamps come as ISO 8601 text (``_text_time``) rather than
    datetimes, for writers that only print them.
    """
    User = get_user_model()
    paths = code_paths(project.codebook_id)
    usernames: dict[int, str] = {}
    documents = documents_queryset(project, narrowing).order_by("id")
    codings = (
        codings_queryset(None, narrowing)
        .filter(document_id__in=documents.values("id"))
        .order_by("document_id")
    )
    with _export_transaction(), ExitStack() as streams:
        coding_rows = _coding_rows(codings, text_times)
        streams.callback(coding_rows.close)  # type: ignore[attr-defined]  # a generator (stub: Iterator)
        statuses: Iterator[tuple[int, str, str]] = iter(())
        if with_statuses:
            statuses = (
                DocumentStatus.objects.filter(document_id__in=documents.values("id"))
                .order_by("document_id", "coder__username")
                .values_list("document_id", "coder__username", "state")
                .iterator(chunk_size=CODING_CHUNK)
            )
            streams.callback(statuses.close)  # type: ignore[attr-defined]  # a generator (stub: Iterator)
        pending = next(coding_rows, None)
        pending_status = next(statuses, None)
        # CodingRow._make without its Python frame: tuple.__new__ called from C.
        make = partial(tuple.__new__, CodingRow)
        document_rows = documents.values_list(*_DOCUMENT_FIELDS).iterator(chunk_size=DOCUMENT_BATCH)
        streams.callback(document_rows.close)
        for row in document_rows:
            document_id = row[0]
            found: list[CodingRow] = []
            append = found.append
            # The hot loop of every export: a million passes, so locals and no attribute lookups.
            while pending is not None and pending[0] <= document_id:
                if pending[0] == document_id:
                    _, coder_id, code_id, start, end, memo, created, updated = pending
                    coder = usernames.get(coder_id)
                    if coder is None:
                        # Coders are few: look each up once, when first met.
                        coder = usernames[coder_id] = User.objects.get(pk=coder_id).get_username()
                    append(make((coder, paths[code_id], start, end, memo, created, updated)))
                pending = next(coding_rows, None)
            found.sort(key=_CODING_ORDER)
            found_statuses: list[StatusRow] = []
            while pending_status is not None and pending_status[0] <= document_id:
                if pending_status[0] == document_id:
                    found_statuses.append(StatusRow(pending_status[1], pending_status[2]))
                pending_status = next(statuses, None)
            yield DocumentRow(  # type: ignore[misc]  # row[:-1]: the fields before text_sha256
                *row[:-1], text_sha256=row[-1], codings=found, statuses=found_statuses
            )


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    chunks: Iterator[bytes]


def export_file(
    project: Project,
    format: str,
    narrowing: ExportNarrowing = ExportNarrowing(),
    *,
    offsets: str = "",
) -> ExportFile:
    """The named export (a key of ``exports.formats.REGISTRY``) as a lazily produced stream of
    bytes; ``offsets`` is the offset unit of formats that take one (their default when "")."""
    entry = formats.get(format)
    if entry.write is None:
        raise ValueError(f"{format} cannot be exported.")
    options = entry.options(offsets=offsets)
    needs = entry.needs
    head = export_project(
        project, narrowing, coders=needs.coders, metadata_keys=needs.metadata_keys
    )
    documents = export_documents(
        project, narrowing, with_statuses=needs.statuses, text_times=needs.text_times
    )
    chunks = entry.write(head, documents, options)
    name = slugify(project.name) or f"project-{project.pk}"
    separator = "-" if "." in entry.suffix else "."
    return ExportFile(f"{name}{separator}{entry.suffix}", entry.content_type, chunks)

"""The export selector's fast codings CSV path: timestamps formatted by the database, rows read
from a raw cursor, and the bytes identical to the general path over the ORM's datetimes."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection

from annotator import services
from annotator.exports import tabular
from annotator.exports.common import iso
from annotator.models import Annotation, Code, Document
from annotator.selectors.exports import (
    ExportNarrowing,
    export_documents,
    export_file,
    export_project,
)

UTC = dt.UTC
# Whole seconds (no fraction, as isoformat), one microsecond, trailing zeros, a full fraction.
TIMES = [
    dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    dt.datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
    dt.datetime(2025, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
    dt.datetime(2026, 7, 8, 9, 10, 11, 445940, tzinfo=UTC),
]


@pytest.fixture
def timed_codings(demo_project, members):
    codes = list(Code.objects.filter(codebook=demo_project.codebook).order_by("pk"))
    document = Document.objects.filter(project=demo_project).order_by("pk").first()
    made = []
    for i, when in enumerate(TIMES):
        annotation, _ = services.annotation_create(
            document=document,
            coder=members["annotator" if i % 2 else "annotator2"],
            code=codes[i % len(codes)],
            start_offset=i,
            end_offset=i + 7,
            memo='said "no", then\nleft' if i == 1 else "",
        )
        # created and updated differ, so a swapped column would show.
        Annotation.objects.filter(pk=annotation.pk).update(
            created_at=when, updated_at=when + dt.timedelta(seconds=1)
        )
        made.append(annotation.pk)
    return made


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_it_writes_timestamps_as_iso_with_microseconds_only_when_present(
    demo_project, timed_codings
):
    data = b"".join(export_file(demo_project, "csv").chunks)
    rows = _rows(data)
    written = {(row["created_at"], row["updated_at"]) for row in rows}
    for when in TIMES:
        assert (iso(when), iso(when + dt.timedelta(seconds=1))) in written
    assert ("2026-01-02T03:04:05Z", "2026-01-02T03:04:06Z") in written
    assert ("2026-01-02T03:04:05.000001Z", "2026-01-02T03:04:06.000001Z") in written
    assert ("2025-12-31T23:59:59.500000Z", "2026-01-01T00:00:00.500000Z") in written


def test_it_writes_the_same_bytes_as_the_general_path_over_datetimes(demo_project, timed_codings):
    fast = b"".join(export_file(demo_project, "csv").chunks)
    head = export_project(demo_project, coders=False, metadata_keys=False)
    general = "".join(tabular.codings_csv(head, export_documents(demo_project)))
    assert fast == general.encode("utf-8")
    assert len(_rows(fast)) == Annotation.objects.filter(document__project=demo_project).count()


def test_it_narrows_the_raw_cursor_path_like_the_orm(demo_project, members, timed_codings):
    narrowing = ExportNarrowing(coder_ids=(members["annotator"].pk,))
    rows = _rows(b"".join(export_file(demo_project, "csv", narrowing).chunks))
    assert rows
    assert {row["coder"] for row in rows} == {"annotator"}
    assert (
        len(rows)
        == Annotation.objects.filter(
            document__project=demo_project, coder=members["annotator"]
        ).count()
    )


def test_it_hands_datetimes_or_text_as_asked(demo_project, timed_codings):
    def first_coding(text_times):
        documents = export_documents(demo_project, text_times=text_times)
        return next(c for d in documents for c in d.codings)

    assert isinstance(first_coding(False).created_at, dt.datetime)
    assert isinstance(first_coding(True).created_at, str)


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("2026-01-02 03:04:05", "2026-01-02T03:04:05Z"),
        ("2026-01-02 03:04:05.000001", "2026-01-02T03:04:05.000001Z"),
        ("2026-01-02 03:04:05+00:00", "2026-01-02T03:04:05Z"),
        ("2026-01-02 03:04:05.445940+00:00", "2026-01-02T03:04:05.445940Z"),
        ("2026-01-02 05:04:05.445940+02:00", "2026-01-02T03:04:05.445940Z"),
        ("2026-01-02 05:04:05+02:00", "2026-01-02T03:04:05Z"),
    ],
)
def test_it_formats_timestamps_stored_by_raw_sql_as_the_orm_reads_them(
    demo_project, timed_codings, stored, written
):
    # Raw SQL stores SQLite text as given (offsets included); PostgreSQL parses it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE annotator_annotation SET created_at = %s, updated_at = %s WHERE id = %s",
            [stored, stored, timed_codings[0]],
        )
    fast = b"".join(export_file(demo_project, "csv").chunks)
    head = export_project(demo_project, coders=False, metadata_keys=False)
    assert fast == "".join(tabular.codings_csv(head, export_documents(demo_project))).encode()
    assert (written, written) in {(r["created_at"], r["updated_at"]) for r in _rows(fast)}

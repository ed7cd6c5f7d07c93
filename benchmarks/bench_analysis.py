"""Analysis at scale: retrieval, frequencies, co-occurrence, full-text search, auto-code preview.

Targets (issue 15), on 10,000 documents and 1.5 M codings on PostgreSQL: retrieval first page
<= 150 ms; frequency table <= 500 ms; co-occurrence of 20 codes <= 2 s; full-text search
<= 200 ms; auto-code preview of a regex <= 2 s. Each figure is the best of ``--repeat`` runs of
the same selector or service the pages call.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_analysis_bench \\
        DJANGO_DEBUG=1 .venv/bin/python benchmarks/bench_analysis.py --documents 10000 --codings 1500000

Without DATABASE_URL it uses a throwaway SQLite file under /tmp. ``--reuse`` keeps data already
loaded by an earlier run of the same size.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/annotator-bench-analysis.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from annotator.models import Annotation, Code, Codebook, Document, Project  # noqa: E402
from annotator.selectors import analysis as sel  # noqa: E402
from annotator.services.autocode import AutocodeQuery, autocode_preview  # noqa: E402
from annotator.services.documents import text_sha256, word_count  # noqa: E402

CODERS, CODES = 3, 20
WORDS = ["iran", "russia", "israel", "syria", "talks", "sanctions", "minister", "said", "the"]


def text(rng: random.Random, number: int, words: int = 500) -> str:
    out = []
    for i in range(words):
        out.append(rng.choice(WORDS) if rng.random() < 0.3 else f"w{rng.randrange(50_000)}")
        if i % 18 == 17:
            out[-1] += "."
        if i % 120 == 119:
            out[-1] += "\n"
    return f"doc{number} " + " ".join(out)


def setup(documents: int, codings: int, words: int):
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM annotator_codingprovenance")
        cursor.execute("DELETE FROM annotator_annotation")
    Document.objects.all().delete()
    Project.objects.all().delete()
    Code.objects.all().delete()
    Codebook.objects.all().delete()
    User = get_user_model()
    coders = [User.objects.get_or_create(username=f"bench-coder-{i}")[0] for i in range(CODERS)]
    codebook = Codebook.objects.create(name="bench")
    codes = [Code.objects.create(codebook=codebook, name=f"code-{i}") for i in range(CODES)]
    project = Project.objects.create(name="bench", codebook=codebook)
    rng = random.Random(15)
    batch = []
    for number in range(documents):
        body = text(rng, number, words)
        batch.append(
            Document(
                project=project,
                text=body,
                text_sha256=text_sha256(body),
                length=len(body),
                word_count=word_count(body),
                order=number,
                source=f"outlet-{number % 7}",
                metadata={"desk": f"desk-{number % 4}"},
            )
        )
        if len(batch) == 1000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    docs = list(Document.objects.filter(project=project).values_list("id", "length"))
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def rows():
        for i in range(codings):
            document_id, length = docs[i % len(docs)]
            slot = i // len(docs)
            start = (slot * 23) % (length - 60)
            memo = "memo about talks" if i % 50 == 0 else ""
            yield (
                document_id,
                coders[slot % CODERS].pk,
                codes[(slot // CODERS) % CODES].pk,
                start,
                start + 10 + slot % 40,
                memo,
                now,
                now,
            )

    columns = (
        "document_id, coder_id, code_id, start_offset, end_offset, memo, created_at, updated_at"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the fastest bulk load PostgreSQL offers (about a million rows in seconds).
            with cursor.copy(f"COPY annotator_annotation ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO annotator_annotation ({columns}) VALUES ({', '.join(['%s'] * 8)})"  # noqa: S608
            batch = []
            for row in rows():
                batch.append(row)
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    analyze()
    return project


def analyze():
    """Statistics and, on PostgreSQL, the visibility map (index-only scans need it), as
    autovacuum leaves them after a bulk load."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--codings", type=int, default=300_000)
    parser.add_argument(
        "--words", type=int, default=700, help="words per document (~5,000 characters)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--only", default="", help="measure only operations whose name contains this"
    )
    args = parser.parse_args()
    if args.reuse and Annotation.objects.count() == args.codings:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        analyze()
        print(f"reused the loaded data (migrate + analyze {time.perf_counter() - t:.0f} s)")
        project = Project.objects.get(name="bench")
    else:
        t = time.perf_counter()
        project = setup(args.documents, args.codings, args.words)
        print(
            f"loaded {args.documents} documents, {args.codings} codings in {time.perf_counter() - t:.0f} s"
        )
    codes = list(Code.objects.filter(codebook=project.codebook).values_list("pk", flat=True))
    coder = get_user_model().objects.get(username="bench-coder-0")
    every = sel.Scope(project=project)
    measures = [
        ("retrieval, first page (all codes)", 150, lambda: sel.segment_page(every)),
        (
            "retrieval, first page (2 codes, A and B overlap)",
            150,
            lambda: sel.segment_page(
                sel.Scope(
                    project=project,
                    code_ids=tuple(codes[:1]),
                    op="and",
                    other_code_ids=tuple(codes[1:2]),
                )
            ),
        ),
        (
            # Worst case: no coding of this data overlaps another of its coder, so every
            # coding is checked before the page is known to be empty.
            "retrieval, first page (any code overlaps B: no match)",
            150,
            lambda: sel.segment_page(
                sel.Scope(project=project, op="and", other_code_ids=tuple(codes[1:2]))
            ),
        ),
        ("frequency table by source", 500, lambda: sel.frequency_table(every, "source")),
        (
            "frequency table by metadata.desk",
            500,
            lambda: sel.frequency_table(every, "metadata.desk"),
        ),
        (
            "co-occurrence of 20 codes (overlap)",
            2000,
            lambda: sel.cooccurrence(every, codes[:20], "overlap", 0),
        ),
        (
            # ~660,000 co-occurring pairs in this data.
            "co-occurrence of 20 codes (within 30 characters)",
            2000,
            lambda: sel.cooccurrence(every, codes[:20], "near", 30),
        ),
        (
            "full-text search, first page",
            200,
            lambda: sel.search_documents(project, "sanctions minister"),
        ),
        (
            "auto-code preview of a regex",
            2000,
            lambda: autocode_preview(
                project=project,
                code=Code.objects.get(pk=codes[0]),
                coder=coder,
                query=AutocodeQuery(r"\bdoc1\d{3}\b", is_regex=True),
                budget=30,
            ),
        ),
        ("memos, first page", 150, lambda: sel.memo_page(every)),
    ]
    print(
        f"{connection.vendor}, {args.documents} documents, {args.codings} codings, best of {args.repeat}"
    )
    for name, target, fn in measures:
        if args.only not in name:
            continue
        ms = best(fn, args.repeat)
        print(
            f"{name:52s} {ms:8.1f} ms  (target {target} ms: {'ok' if ms <= target else 'MISSED'})"
        )


if __name__ == "__main__":
    main()

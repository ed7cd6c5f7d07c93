"""API performance: listing a heavily coded document, and bulk-creating codings.

Targets (issue 6): listing the 10,000 codings of one document, paginated, takes at most 8
queries per request whatever the page size, and at most 50 ms median per request at the
default page size (100; the larger pages are timed too, for information); bulk-creating 1,000
codings takes at most 1 s, in one transaction.

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/bench_api.py

Uses a throwaway SQLite file under /tmp unless DATABASE_URL is set (then that database: its
tables are created by migrate and the benchmark's rows are left in it).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DATABASE_URL"):
    _tmp = Path(tempfile.mkdtemp(prefix="annotator-bench-")) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from tqdm import tqdm  # noqa: E402

from annotator.models import Annotation, Code, Codebook, Membership, Project  # noqa: E402
from annotator.services import document_create  # noqa: E402

CODINGS = 10_000
PAGE_SIZES = (100, 1000, 10_000)
DEFAULT_PAGE = 100  # the API's default limit: the page size the time target applies to
REPEATS = 20
MAX_QUERIES = 8
MAX_MEDIAN_MS = 50.0
BULK_ITEMS = 1000
MAX_BULK_S = 1.0


def setup_data():
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    stamp = str(time.time_ns())
    codebook = Codebook.objects.create(name=f"bench {stamp}")
    codes = [Code.objects.create(codebook=codebook, name=f"code {i}") for i in range(5)]
    project = Project.objects.create(name=f"bench {stamp}", codebook=codebook)
    user = get_user_model().objects.create_user(f"bench-{stamp}")
    Membership.objects.create(user=user, project=project, role=Membership.Role.ANNOTATOR)
    text = ("The quick brown fox jumps over the lazy dog. " * 600)[:25_000]
    listed = document_create(project=project, text=text + " listed")
    empty = document_create(project=project, text=text + " bulk")
    Annotation.objects.bulk_create(
        (
            Annotation(
                document=listed,
                coder=user,
                code=codes[i % 5],
                start_offset=i,
                end_offset=i + 1 + i % 40,
            )
            for i in tqdm(range(CODINGS), desc="codings", file=sys.stderr)
        ),
        batch_size=2000,
    )
    # Fresh planner statistics, as autovacuum would gather on a live database: without them
    # PostgreSQL plans the 10,000 freshly inserted rows as if the table were empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, listed, empty, codes


def bench_list(client, document) -> bool:
    ok = True
    print(f"List GET /api/v1/annotations/?document=… ({CODINGS:,} codings, token auth)")
    print(
        f"  target: <= {MAX_QUERIES} queries per request at every page size; "
        f"<= {MAX_MEDIAN_MS:.0f} ms median at the default page size ({DEFAULT_PAGE})"
    )
    for limit in PAGE_SIZES:
        url = f"/api/v1/annotations/?document={document.pk}&limit={limit}"
        client.get(url)  # warm-up
        timings, queries = [], 0
        for _ in tqdm(range(REPEATS), desc=f"limit={limit}", file=sys.stderr, leave=False):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
            assert len(response.json()["results"]) == limit
            queries = max(queries, len(captured))
        median = statistics.median(timings)
        passed = queries <= MAX_QUERIES and (limit != DEFAULT_PAGE or median <= MAX_MEDIAN_MS)
        ok &= passed
        print(
            f"  page size {limit:>6,}: {queries} queries, median {median:8.1f} ms "
            f"(min {min(timings):.1f}, max {max(timings):.1f})  {'PASS' if passed else 'FAIL'}"
        )
    return ok


def bench_bulk(client, document, codes) -> bool:
    items = [
        {"code": codes[i % 5].pk, "start_offset": i, "end_offset": i + 3} for i in range(BULK_ITEMS)
    ]
    body = {"document": document.pk, "items": items}
    # Count the commits the request makes: one transaction means exactly one commit.
    real = connections["default"]
    commits = []
    original_commit = real.commit

    def counting_commit():
        commits.append(1)
        return original_commit()

    real.commit = counting_commit
    try:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post("/api/v1/annotations/bulk/", body, format="json")
            elapsed = time.perf_counter() - started
    finally:
        del real.commit
    assert response.status_code == 201, response.content[:300]
    assert response.json()["created"] == BULK_ITEMS
    passed = elapsed <= MAX_BULK_S and len(commits) == 1
    print(f"Bulk POST /api/v1/annotations/bulk/ ({BULK_ITEMS:,} codings)")
    print(f"  target: <= {MAX_BULK_S:.1f} s, one transaction")
    print(
        f"  {elapsed * 1000:.0f} ms, {len(captured)} queries, "
        f"{len(commits)} commit(s)  {'PASS' if passed else 'FAIL'}"
    )
    return passed


def main() -> int:
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    client, listed, empty, codes = setup_data()
    reset_queries()
    ok = bench_list(client, listed)
    ok &= bench_bulk(client, empty, codes)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

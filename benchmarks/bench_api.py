"""API performance: reading a heavily coded document, and bulk-creating codings.

Targets: listing the 25,000 codings of one document, paginated (keyset: no OFFSET, no COUNT),
takes at most 8 queries per request whatever the page size, and at most 50 ms median per
request at the default page size (100); reading all of them page by page is timed for
information, and in one request with the document endpoint
(``/api/v1/projects/{p}/documents/{d}/annotations/``) takes at most 1 s; bulk-creating 1,000
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

CODINGS = 25_000
PAGE_SIZES = (100, 1000, 10_000)
DEFAULT_PAGE = 100  # the API's default limit: the page size the time target applies to
REPEATS = 20
READS = 3  # whole-document reads per page size
MAX_QUERIES = 8
MAX_MEDIAN_MS = 50.0
MAX_DOCUMENT_S = 1.0  # all 25,000 codings of a document, in one request
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
    text = ("The quick brown fox jumps over the lazy dog. " * 600)[: CODINGS + 100]
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
    # PostgreSQL plans the freshly inserted rows as if the table were empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, project, listed, empty, codes


def bench_first_page(client, document) -> bool:
    ok = True
    print(f"List GET /api/v1/annotations/?document=… (first page of {CODINGS:,} codings)")
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


def _read_all(client, url) -> tuple[int, int, int]:
    """Follow ``next`` from ``url`` to the end: (codings, requests, most queries in one)."""
    rows = requests = queries = 0
    while url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        body = response.json()
        rows += len(body["results"])
        requests += 1
        queries = max(queries, len(captured))
        url = body["next"]
    return rows, requests, queries


def bench_read_document(client, project, document) -> bool:
    """Every coding of the document: page by page (keyset, following ``next``), then with the
    whole-document endpoint in one request."""
    ok = True
    print(f"Read all {CODINGS:,} codings of one document")
    print(
        f"  target: every page <= {MAX_QUERIES} queries; the document endpoint "
        f"<= {MAX_DOCUMENT_S:.1f} s median"
    )
    for limit in PAGE_SIZES:
        url = f"/api/v1/annotations/?document={document.pk}&limit={limit}"
        timings = []
        for _ in range(READS):
            started = time.perf_counter()
            rows, requests, queries = _read_all(client, url)
            timings.append(time.perf_counter() - started)
            assert rows == CODINGS, rows
        passed = queries <= MAX_QUERIES
        ok &= passed
        print(
            f"  pages of {limit:>6,}: {requests:>3} requests, <= {queries} queries each, "
            f"median {statistics.median(timings):6.2f} s  {'PASS' if passed else 'FAIL'}"
        )
    url = f"/api/v1/projects/{project.pk}/documents/{document.pk}/annotations/"
    if client.get(url).status_code == 404:
        print("  document endpoint: not available")
        return False
    timings = []
    for _ in range(READS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response) if response.streaming else response.content
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
        assert body.count(b'"id":') == CODINGS
    median = statistics.median(timings)
    passed = median <= MAX_DOCUMENT_S
    ok &= passed
    print(
        f"  document endpoint:  1 request,  {len(captured)} queries, {len(body) / 1e6:.1f} MB, "
        f"median {median:6.2f} s  {'PASS' if passed else 'FAIL'}"
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
    client, project, listed, empty, codes = setup_data()
    reset_queries()
    ok = bench_first_page(client, listed)
    ok &= bench_read_document(client, project, listed)
    ok &= bench_bulk(client, empty, codes)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Workspace performance on a long document (200,000 characters, 5,000 codings, 3 coders).

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/bench_workspace.py [--quick]

Measures, on a throwaway SQLite database under /tmp (or DATABASE_URL if set):
1. the server render of the workspace page (median ms, SQL queries), with 5,000 and 500
   codings on the document, to show the query count does not grow with the codings;
2. saving one coding (median ms, response bytes);
3. in Chromium, the time from the shortcut key press to the new highlight in the DOM and
   the next animation frame (median of 20).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DB_FILE = Path(tempfile.gettempdir()) / "annotator_bench_workspace.sqlite3"
if "DATABASE_URL" not in os.environ:
    DB_FILE.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
# Playwright's sync API runs an event loop in this thread; the ORM calls are all made before.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from annotator.management.commands.make_long_document import PROJECT_NAME  # noqa: E402
from annotator.models import Annotation, Document  # noqa: E402

PASSWORD = "bench-password"
TARGETS = {"render_ms": 150, "queries": 10, "save_ms": 30, "save_bytes": 20_000, "paint_ms": 150}
RUNS = 5 if "--quick" in sys.argv else 20


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def measure_render(client, url) -> tuple[float, int, int]:
    client.get(url)  # warm the template cache
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(url).content)
    return statistics.median(times), len(queries.captured_queries), size


def measure_save(client, document) -> tuple[float, int]:
    url = reverse("annotator:annotation-create", args=[document.project_id, document.pk])
    times, sizes, step = [], [], document.length // (RUNS * 3)
    for i in range(RUNS * 2):
        start = 100 + i * step
        t0 = time.perf_counter()
        response = client.post(
            url,
            {"code": 1 + i % 5, "start": start, "end": start + 40},
            headers={"HX-Request": "true"},
        )
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:300]
        sizes.append(len(response.content))
    return statistics.median(times), max(sizes)


# Armed before the key press: the clock starts at keydown (capture phase, before the
# workspace's handler) and stops at the first animation frame after a paragraph is swapped in.
PAINT_JS = """(code) => {
  let t0 = null;
  window.addEventListener("keydown", () => { t0 = performance.now(); }, { capture: true, once: true });
  const root = document.getElementById("doc-text");
  window.__paint = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - t0));
    });
    observer.observe(root, { childList: true });
  });
}"""


def measure_paint(document, live_url) -> list[float]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
    from conftest import CHROMIUM, LAUNCH_ARGS

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(base_url=live_url)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("coder1")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.goto(f"/projects/{document.project_id}/documents/{document.pk}/")
        page.wait_for_selector("#doc-text")
        step = document.length // (RUNS + 2)
        for i in range(RUNS):
            start = 50 + (i + 1) * step
            code = 1 + i % 5
            page.evaluate(
                "([s, e]) => { const r = document.getElementById('doc-text');"
                " AnnotatorOffsets.selectOffsets(r, s, e);"
                " r.querySelector('.para').scrollIntoView(); }",
                [start, start + 30],
            )
            page.evaluate(PAINT_JS, code)
            page.keyboard.press(str(code))
            results.append(page.evaluate("window.__paint"))
        browser.close()
    return results


def sqlite_wal(sender, connection, **kwargs):
    """SQLite's usual server setting: write-ahead log, no fsync per commit (durable at the
    checkpoint). Without it each save waits ~20 ms for the disk of this machine."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def make_document(*args) -> Document:
    try:
        call_command("make_long_document", "--password", PASSWORD, *args)
    except CommandError as error:  # a DATABASE_URL database from an earlier run: reuse it
        print(f"make_long_document: {error}; reusing the document")
    seed = int(args[-1])
    return Document.objects.get(project__name=PROJECT_NAME, order=seed)


def main():
    connection_created.connect(sqlite_wal)
    connection.close()
    call_command("migrate", verbosity=0)
    big = make_document("--seed", "1")
    small = make_document("--codings", "500", "--seed", "2")
    print(
        f"database: {connection.vendor}"
        + (" (WAL, synchronous=NORMAL)" if connection.vendor == "sqlite" else "")
    )
    client = Client(HTTP_HOST="127.0.0.1")
    from django.contrib.auth import get_user_model

    User = get_user_model()
    client.force_login(User.objects.get(username="coder1"))
    curator = Client(HTTP_HOST="127.0.0.1")
    curator.force_login(User.objects.get(username="bench-curator"))

    def page_url(doc, query=""):
        return reverse("annotator:document-annotate", args=[doc.project_id, doc.pk]) + query

    own = Annotation.objects.filter(document=big, coder__username="coder1").count()
    print(f"\nDocument: {big.length:,} characters, {big.annotations.count():,} codings, 3 coders")
    rows = []
    for label, c, doc, query, n in (
        ("coder's own view, 5,000 on doc", client, big, "", own),
        (
            "coder's own view, 500 on doc",
            client,
            small,
            "",
            small.annotations.filter(coder__username="coder1").count(),
        ),
        ("curator, all coders side by side", curator, big, "?coder=all", big.annotations.count()),
        (
            "curator, all coders, 500 on doc",
            curator,
            small,
            "?coder=all",
            small.annotations.count(),
        ),
    ):
        ms, queries, size = measure_render(c, page_url(doc, query))
        rows.append((label, n, ms, queries, size))
        print(
            f"render {label:34s} {n:5d} codings shown: median {ms:6.1f} ms "
            f"[{verdict(ms <= TARGETS['render_ms'])} ≤ {TARGETS['render_ms']} ms], "
            f"{queries} queries [{verdict(queries <= TARGETS['queries'])} ≤ {TARGETS['queries']}], "
            f"{size / 1e6:.2f} MB"
        )
    same = rows[0][3] == rows[1][3] and rows[2][3] == rows[3][3]
    print(f"query count independent of the number of codings: {verdict(same)}")

    save_ms, save_bytes = measure_save(client, big)
    print(
        f"save one coding: median {save_ms:.1f} ms [{verdict(save_ms <= TARGETS['save_ms'])} ≤ "
        f"{TARGETS['save_ms']} ms], largest response {save_bytes:,} bytes "
        f"[{verdict(save_bytes <= TARGETS['save_bytes'])} ≤ {TARGETS['save_bytes']:,}]"
    )

    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    connection.close()  # the server thread opens its own connection to the same database
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        paints = measure_paint(big, f"http://127.0.0.1:{server.port}")
    finally:
        server.terminate()
    paint = statistics.median(paints)
    print(
        f"Chromium, shortcut key → highlight painted: median {paint:.1f} ms over {len(paints)} "
        f"(min {min(paints):.1f}, max {max(paints):.1f}) "
        f"[{verdict(paint <= TARGETS['paint_ms'])} ≤ {TARGETS['paint_ms']} ms]"
    )


if __name__ == "__main__":
    main()

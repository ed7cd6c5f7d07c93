"""Workspace performance on long documents: 200,000 characters with 5,000 codings and
1,000,000 characters with 25,000 codings, by three coders (coder1's own view shows a third).

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/bench_workspace.py [--quick] [--no-1m]

Measures, on a throwaway SQLite database under /tmp (or DATABASE_URL if set):
1. the server render of the workspace page (median ms, SQL queries, bytes), with 5,000 and 500
   codings on the document, to show the query count does not grow with the codings;
2. saving one coding (median ms, SQL queries, response bytes);
3. in Chromium, for each document: the page painted (navigation start to the first animation
   frame after the load event, median of 5 loads), the longest task during the load, the
   number of DOM elements, and the time from the shortcut key press to the new highlight
   painted (median of 20).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# One file per run: several people may run the benchmark on one machine.
DB_FILE = Path(tempfile.gettempdir()) / f"annotator_bench_workspace_{os.getpid()}.sqlite3"
if "DATABASE_URL" not in os.environ:
    DB_FILE.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
# Playwright's sync API runs an event loop in this thread; the ORM calls are all made before.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from annotator.management.commands.make_long_document import PROJECT_NAME  # noqa: E402
from annotator.models import Annotation, Document  # noqa: E402

PASSWORD = "bench-password"
TARGETS = {"render_ms": 150, "queries": 10, "save_ms": 30, "save_bytes": 20_000, "key_ms": 60}
# Page painted (navigation start to the first frame after load), per document length.
PAINTED_MS = {200_000: 300, 1_000_000: 800}
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


def measure_save(client, document) -> tuple[float, int, int]:
    """Median ms, queries of one save, largest response bytes."""
    url = reverse("annotator:annotation-create", args=[document.project_id, document.pk])
    times, sizes, queries, step = [], [], [], document.length // (RUNS * 3)
    for i in range(RUNS * 2):
        start = 100 + i * step
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.post(
                url,
                {"code": 1 + i % 5, "start": start, "end": start + 40},
                headers={"HX-Request": "true"},
            )
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:300]
        sizes.append(len(response.content))
        queries.append(len(captured.captured_queries))
    return statistics.median(times), max(queries), max(sizes)


# Registered before every navigation: the time of the first animation frame after the load
# event (everything parsed, deferred scripts run) and the longest task seen.
LOAD_JS = """(() => {
  window.__longest = 0;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  window.__painted = new Promise((resolve) => {
    addEventListener("load", () => requestAnimationFrame(() => resolve(performance.now())));
  });
})();"""

# Armed before the key press: the clock starts at keydown (capture phase, before the
# workspace's handler) and stops at the first animation frame after the new coding is put on
# screen: a change in the text's DOM (marks as elements) or a range added to a highlight
# (marks with the CSS Custom Highlight API), whichever the page does.
KEY_JS = """() => {
  let t0 = null;
  window.addEventListener("keydown", () => { t0 = performance.now(); window.__keydown = t0; }, { capture: true, once: true });
  const root = document.getElementById("doc-text");
  const add = window.Highlight && Highlight.prototype.add;
  window.__paint = new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done || t0 === null) return;
      done = true;
      observer.disconnect();
      if (add) Highlight.prototype.add = add;
      requestAnimationFrame(() => resolve(performance.now() - t0));
    };
    const observer = new MutationObserver(finish);
    observer.observe(root, { childList: true, subtree: true });
    if (add) Highlight.prototype.add = function (range) { const out = add.call(this, range); finish(); return out; };
    // Nothing shown within 10 s: counted as a miss (null), not waited for forever.
    setTimeout(() => { if (!done) { done = true; observer.disconnect(); resolve(null); } }, 10000);
  });
}"""


def key_targets(document) -> list[tuple[int, int]]:
    """``RUNS`` spans of 30 characters spread over the text, each with a code (by shortcut)
    that coder1 has not applied on or next to it, so every key press changes what is drawn."""
    taken = list(
        Annotation.objects.filter(document=document, coder__username="coder1").values_list(
            "code__shortcut", "start_offset", "end_offset"
        )
    )
    targets, step = [], document.length // (RUNS + 2)
    for i in range(RUNS):
        start = 50 + (i + 1) * step
        while len(targets) <= i:
            free = [
                k
                for k in "12345"
                if not any(c == k and s <= start + 31 and e >= start - 1 for c, s, e in taken)
            ]
            if free:
                targets.append((start, int(free[i % len(free)])))
            else:
                start += 97
    return targets


def measure_browser(document, live_url, targets) -> dict:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
    from conftest import CHROMIUM, LAUNCH_ARGS

    url = f"/projects/{document.project_id}/documents/{document.pk}/"
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(base_url=live_url, viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("coder1")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.add_init_script(LOAD_JS)
        painted, longest, phases = [], [], []
        for _ in range(2 if "--quick" in sys.argv else 5):
            page.goto(url, wait_until="load")
            painted.append(page.evaluate("window.__painted"))
            phases.append(
                page.evaluate(
                    "(() => { const n = performance.getEntriesByType('navigation')[0];"
                    " return [n.responseStart, n.responseEnd, n.domContentLoadedEventEnd,"
                    " n.loadEventEnd]; })()"
                )
            )
            longest.append(page.evaluate("window.__longest"))
        out["painted"] = statistics.median(painted)
        # Where the time goes: first byte, last byte, DOMContentLoaded, load (medians).
        out["phases"] = [statistics.median(p[i] for p in phases) for i in range(4)]
        out["longest_task"] = statistics.median(longest)
        out["elements"] = page.evaluate("document.getElementsByTagName('*').length")
        out["nodes"] = page.evaluate(
            "(() => { let n = 0; const w = document.createTreeWalker(document, NodeFilter.SHOW_ALL);"
            " while (w.nextNode()) n++; return n; })()"
        )
        out["text_in_dom"] = page.evaluate("document.getElementById('doc-text').textContent.length")
        keys, answered = [], []
        for start, code in targets:
            page.evaluate(
                "([s, e]) => { const r = document.getElementById('doc-text');"
                " AnnotatorOffsets.selectOffsets(r, s, e);"
                " window.getSelection().getRangeAt(0).startContainer.parentElement"
                ".scrollIntoView({block: 'center'}); }",
                [start, start + 30],
            )
            page.evaluate(KEY_JS)
            page.keyboard.press(str(code))
            keys.append(page.evaluate("window.__paint"))
            # Where the time went: key down -> the save's answer complete (resource timing).
            answered.append(
                page.evaluate(
                    "(() => { const e = performance.getEntriesByType('resource')"
                    ".filter((e) => e.name.endsWith('/codings/new/')).pop();"
                    " return e ? e.responseEnd - window.__keydown : null; })()"
                )
            )
        out["save_requests"] = page.evaluate(
            "performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/codings/new/'))"
            ".map((e) => e.responseEnd - e.startTime)"
        )
        out["key"] = keys
        out["answered"] = [a for a in answered if a is not None]
        browser.close()
    return out


SERVER_SAVES: list[float] = []


def sqlite_wal(sender, connection, **kwargs):
    """SQLite's usual server setting: write-ahead log, no fsync per commit (durable at the
    checkpoint). Without it each save waits ~20 ms for the disk of this machine."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def make_document(length: int, codings: int, seed: int) -> Document:
    """The long document of this seed (reused when the database already has it): the text of
    ``make_long_document`` and ``codings`` random whole-word spans of 5–160 characters by
    three coders, as that command makes them, but inserted in bulk (25,000 one by one
    through the service take minutes)."""
    import random

    from annotator.models import Code

    existing = Document.objects.filter(project__name=PROJECT_NAME, order=seed).first()
    if existing is not None:
        return existing
    call_command(
        "make_long_document",
        "--password", PASSWORD, "--length", str(length), "--codings", "0", "--seed", str(seed),
    )  # fmt: skip
    document = Document.objects.get(project__name=PROJECT_NAME, order=seed)
    from django.contrib.auth import get_user_model

    coders = list(get_user_model().objects.filter(username__in=["coder1", "coder2", "coder3"]))
    coders.sort(key=lambda u: u.username)
    codes = list(Code.objects.filter(codebook_id=document.project.codebook_id))
    rng, text, seen, rows = random.Random(seed), document.text, set(), []
    while len(rows) < codings:
        start = rng.randrange(0, length - 2)
        end = min(length, start + rng.randint(5, 160))
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < length and not text[end].isspace():
            end += 1
        key = (len(rows) % 3, rng.choice(codes).pk, start, end)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            Annotation(
                document=document,
                coder=coders[key[0]],
                code_id=key[1],
                start_offset=start,
                end_offset=end,
            )
        )
    Annotation.objects.bulk_create(rows, batch_size=2000)
    return document


def main():
    connection_created.connect(sqlite_wal)
    connection.close()
    call_command("migrate", verbosity=0)
    big = make_document(200_000, 5_000, 1)
    small = make_document(200_000, 500, 2)
    huge = make_document(1_000_000, 25_000, 3) if "--no-1m" not in sys.argv else None
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

    def own(doc):
        return Annotation.objects.filter(document=doc, coder__username="coder1").count()

    rows = []
    cases = [
        ("own view, 200k, 5,000 on doc", client, big, "", own(big)),
        ("own view, 200k, 500 on doc", client, small, "", own(small)),
        ("curator, all side by side, 5,000", curator, big, "?coder=all", big.annotations.count()),
        ("curator, all side by side, 500", curator, small, "?coder=all", small.annotations.count()),
    ]
    if huge is not None:
        cases.append(("own view, 1M, 25,000 on doc", client, huge, "", own(huge)))
    for label, c, doc, query, n in cases:
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

    for doc in (big, huge):
        if doc is None:
            continue
        save_ms, save_queries, save_bytes = measure_save(client, doc)
        print(
            f"save one coding ({doc.length:,} chars): median {save_ms:.1f} ms "
            f"[{verdict(save_ms <= TARGETS['save_ms'])} ≤ {TARGETS['save_ms']} ms], "
            f"{save_queries} queries, largest response {save_bytes:,} bytes "
            f"[{verdict(save_bytes <= TARGETS['save_bytes'])} ≤ {TARGETS['save_bytes']:,}]"
        )

    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    targets = {doc.pk: key_targets(doc) for doc in (big, huge) if doc is not None}
    connection.close()  # the server thread opens its own connection to the same database

    class TimedHandler(StaticFilesHandler):
        """Times the server's handling of each save (the WSGI call, in the server thread)."""

        def __call__(self, environ, start_response):
            t0 = time.perf_counter()
            try:
                return super().__call__(environ, start_response)
            finally:
                if environ.get("PATH_INFO", "").endswith("/codings/new/"):
                    SERVER_SAVES.append((time.perf_counter() - t0) * 1000)

    server = LiveServerThread("127.0.0.1", TimedHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        for doc in (big, huge):
            if doc is None:
                continue
            SERVER_SAVES.clear()
            r = measure_browser(doc, f"http://127.0.0.1:{server.port}", targets[doc.pk])
            target = PAINTED_MS[doc.length]
            missed = r["key"].count(None)
            r["key"] = [k for k in r["key"] if k is not None] or [float("nan")]
            key = statistics.median(r["key"])
            print(
                f"Chromium, {doc.length:,} characters, {doc.annotations.count():,} codings: "
                f"painted {r['painted']:.0f} ms [{verdict(r['painted'] <= target)} ≤ {target} ms], "
                f"(first byte {r['phases'][0]:.0f}, last byte {r['phases'][1]:.0f}, "
                f"DOMContentLoaded {r['phases'][2]:.0f}, load {r['phases'][3]:.0f} ms), "
                f"longest task {r['longest_task']:.0f} ms, {r['elements']:,} elements, "
                f"{r['nodes']:,} DOM nodes, whole text in the DOM: "
                f"{verdict(r['text_in_dom'] >= doc.length - doc.text.count(chr(10)))}; "
                f"key → highlight painted median {key:.1f} ms over {len(r['key'])} "
                f"(min {min(r['key']):.1f}, max {max(r['key']):.1f}) "
                f"[{verdict(key <= TARGETS['key_ms'] and not missed)} ≤ {TARGETS['key_ms']} ms]"
                + (f", {missed} key presses showed nothing within 10 s" if missed else "")
            )
            print(
                f"  of which: key -> save answered median "
                f"{statistics.median(r['answered'] or [float('nan')]):.1f} ms (the server's "
                f"handler {statistics.median(SERVER_SAVES or [float('nan')]):.1f} ms), "
                f"request in Chromium median {statistics.median(r['save_requests'] or [float('nan')]):.1f} ms"
            )
    finally:
        server.terminate()
        if DB_FILE.exists() and os.environ["DATABASE_URL"].endswith(DB_FILE.name):
            for suffix in ("", "-wal", "-shm"):
                Path(str(DB_FILE) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()

"""The production stack on one machine: gunicorn with DEBUG off serves static files through
WhiteNoise (compressed, hashed names) and the probes, as ``make serve`` runs it."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prod")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="test-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "annotator.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # bounded: until the workers accept connections, or the deadline
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"gunicorn did not start: {process.stderr.read()}")
            time.sleep(0.05)
    yield base, tmp
    process.terminate()
    _, errors = process.communicate(timeout=30)
    assert "Traceback" not in errors, errors


def test_it_serves_static_files_with_debug_off(server):
    base, tmp = server
    status, headers, body = _get(base + "/static/annotator/js/offsets.js")
    assert status == 200 and b"function" in body
    hashed = [p.name for p in (tmp / "static/annotator/js").glob("offsets.*.js")]
    assert hashed, "collectstatic wrote no hashed copy"
    status, headers, _ = _get(f"{base}/static/annotator/js/{hashed[0]}")
    assert status == 200 and "max-age=315360000" in headers.get("Cache-Control", "")


def test_pages_link_hashed_static_files(server):
    base, _ = server
    status, _, body = _get(base + "/accounts/login/")
    assert status == 200
    assert b"/static/annotator/css/app." in body
    assert b'/static/annotator/css/app.css"' not in body  # the hashed name, cacheable forever


def test_the_probes_answer_over_plain_http(server):
    base, _ = server
    assert _get(base + "/healthz")[0] == 200
    assert _get(base + "/readyz")[0] == 200

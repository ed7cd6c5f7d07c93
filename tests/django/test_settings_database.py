"""One configuration path for SQLite: a ``sqlite://`` DATABASE_URL gets what the default file gets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Configure Django, open the connection and report what SQLite actually runs with.
PROBE = """
import json, sys, django
from django.conf import settings
django.setup()
from django.db import connection
journal = None
if sys.argv[1:] == ["connect"]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
options = settings.DATABASES["default"]["OPTIONS"]
print(json.dumps({"options": options, "journal_mode": journal,
                  "name": str(settings.DATABASES["default"]["NAME"])}))
"""


def probe(database_url: str | None, *, connect: bool = True) -> dict:
    """The database settings in a fresh interpreter; ``connect`` also opens the database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="annotator.settings")
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *(["connect"] if connect else [])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("url_form", ["sqlite:///{path}", "sqlite:///{path}?timeout=20"])
def test_a_sqlite_url_gets_wal_and_immediate_transactions(tmp_path, url_form):
    path = tmp_path / "x.sqlite3"
    found = probe(url_form.format(path=path))
    assert found["name"] == str(path)
    assert found["options"]["transaction_mode"] == "IMMEDIATE"
    assert found["options"]["init_command"] == "PRAGMA journal_mode=WAL;"
    assert found["journal_mode"] == "wal"


def test_a_sqlite_url_and_the_default_file_share_their_options(tmp_path):
    from_url = probe(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    default = probe(None, connect=False)  # never touch the developer's var/annotator.sqlite3
    assert default["name"].endswith("var/annotator.sqlite3")
    assert from_url["options"] == default["options"]


def test_a_sqlite_url_keeps_its_own_query_options(tmp_path):
    found = probe(f"sqlite:///{tmp_path / 'x.sqlite3'}?timeout=20")
    assert found["options"]["timeout"] == 20

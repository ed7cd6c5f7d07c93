"""Invalid configuration stops the start with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import annotator.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env,variable",
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "1", "DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
        (
            {"DJANGO_DEBUG": "1", "DJANGO_CSRF_TRUSTED_ORIGINS": "example.org"},
            "DJANGO_CSRF_TRUSTED_ORIGINS",
        ),
        ({"DJANGO_DEBUG": "1", "ANNOTATOR_MAX_UPLOAD_BYTES": "lots"}, "ANNOTATOR_MAX_UPLOAD_BYTES"),
    ],
)
def test_an_invalid_value_stops_with_one_line(env, variable):
    result = start(**env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], result.stderr


def test_debug_off_with_a_key_gives_secure_defaults():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import annotator.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "False"], result.stderr


def test_responses_carry_a_content_security_policy(client, members):
    client.force_login(members["annotator"])
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

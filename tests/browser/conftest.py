"""Playwright driving Debian's Chromium against pytest-django's live server.

Every test fails on a JavaScript console error or an uncaught page error. Without a browser the
tests are skipped on a developer machine and fail under CI=true.
"""

import os
import re
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must run the browser tests.")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def allow_console_error():
    """Patterns of console errors a test expects, e.g. Chromium's log of a deliberate 409."""
    return []


@pytest.fixture
def page(browser, live_server, allow_console_error):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error" and not any(re.search(p, msg.text) for p in allow_console_error):
            errors.append(f"console.{msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not errors, "JavaScript errors in the page:\n" + "\n".join(errors)


@pytest.fixture
def demo(transactional_db, settings):
    """The demo project with its accounts and codings (password: pw)."""
    settings.DEBUG = True
    call_command("seed_demo", "--password", "pw", verbosity=0)
    settings.DEBUG = False


@pytest.fixture
def login(page):
    def as_user(username: str, password: str = "pw"):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        return page

    return as_user


@pytest.fixture
def axe_check(page):
    """Run axe-core on the current page; no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    def check():
        results = Axe().run(page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]
        assert not bad, "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in bad)

    return check

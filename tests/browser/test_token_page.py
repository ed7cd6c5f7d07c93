"""The API token page in a real browser: create, see the key once, use it, revoke it."""

import re

from playwright.sync_api import expect

PROJECTS = "/api/v1/projects/"


def _api_status(page, key: str) -> int:
    # The browser's own request context: a token header is checked before the session cookie,
    # so a revoked key gets 401 even though alice is signed in.
    return page.request.get(PROJECTS, headers={"Authorization": f"Token {key}"}).status


def test_it_creates_shows_once_and_revokes_a_token(demo, page, login, axe_check):
    login("alice")
    page.goto("/account/token/")
    expect(page.locator("#token-state")).to_have_text("You have no token.")
    axe_check()

    page.get_by_role("button", name="Create token").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("copy it now: it will not be shown again")
    key_box = page.get_by_role("textbox", name="Token")
    expect(key_box).to_have_value(re.compile(r"^[0-9a-f]{40}$"))
    key = key_box.input_value()
    expect(page.locator("#token-state")).to_contain_text("You have a token, created")
    assert _api_status(page, key) == 200
    axe_check()

    # Coming back to the page (a plain GET, not a form resubmission): the key is gone.
    page.goto("/account/token/")
    expect(page.locator("#token-state")).to_contain_text("You have a token, created")
    expect(page.get_by_role("textbox", name="Token")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(key)

    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator("#token-state")).to_have_text("You have no token.")
    expect(page.get_by_role("button", name="Create token")).to_be_visible()
    assert _api_status(page, key) == 401
    axe_check()

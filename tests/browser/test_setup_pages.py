"""A new team starts in the browser: a staff user creates a project, invites an annotator
through the link (who creates an account in a fresh browser and lands in the project), uploads
a PDF and a DOCX and opens one in the workspace. axe checks each setup page."""

import re
import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from setup_files import make_docx, make_pdf  # noqa: E402


def test_a_new_team_sets_itself_up(demo, page, login, axe_check, browser, live_server):
    login("admin")
    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()
    axe_check()
    page.get_by_label("Name").fill("Climate coverage")
    page.get_by_label("Granularity").select_option("word")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Climate coverage")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are its manager")
    project_url = page.url

    page.get_by_role("link", name="Members and invitations").click()
    axe_check()
    page.get_by_role("region", name="Invite someone new").get_by_label("Role").select_option(
        "annotator"
    )
    page.get_by_role("button", name="Create invitation link").click()
    link = page.get_by_role("textbox", name="Link").input_value()
    assert re.match(rf"{re.escape(live_server.url)}/invitations/\S+/$", link)

    # The invited person, in a browser of their own.
    context = browser.new_context()
    errors: list[str] = []
    newcomer = context.new_page()
    newcomer.on("console", lambda m: m.type == "error" and errors.append(m.text))
    newcomer.on("pageerror", lambda exc: errors.append(str(exc)))
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name="Join “Climate coverage”")).to_be_visible()
    newcomer.get_by_label("Username").fill("nina")
    newcomer.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
    newcomer.get_by_label("Password again").fill("a-long-passphrase-42")
    newcomer.get_by_role("button", name="Create account and join").click()
    expect(newcomer.get_by_role("heading", name="Climate coverage")).to_be_visible()
    expect(newcomer.get_by_text("Your role: annotator")).to_be_visible()
    context.close()
    assert not errors, errors

    page.goto(project_url)
    page.get_by_role("link", name="Upload documents").click()
    axe_check()
    page.get_by_label("Files").set_input_files(
        files=[
            {
                "name": "summit.pdf",
                "mimeType": "application/pdf",
                "buffer": make_pdf([["Leaders met in Baku."], ["Talks on emissions went on."]]),
            },
            {
                "name": "briefing.docx",
                "mimeType": "application/octet-stream",
                "buffer": make_docx(["A briefing on methane.", "Second paragraph."]),
            },
        ]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("Uploaded 2 documents")
    page.get_by_role("link", name="summit", exact=True).click()
    expect(page.get_by_text("Leaders met in Baku.")).to_be_visible()
    expect(page.get_by_text("Talks on emissions went on.")).to_be_visible()

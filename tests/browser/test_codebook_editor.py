"""A manager edits the codebook in the browser: adds a nested code with the colour picker,
moves it, writes a Markdown definition, publishes a version and reads the audit trail. axe
checks each page."""

from playwright.sync_api import expect


def test_a_manager_edits_and_publishes_the_codebook(demo, page, login, axe_check):
    login("admin")
    page.goto("/projects/1/")
    page.get_by_role("link", name="Codebook editor and versions").click()
    expect(page.get_by_role("heading", name="Codes", exact=True)).to_be_visible()
    axe_check()

    add = page.get_by_role("region", name="Add a code")
    add.get_by_label("Name").fill("positive")
    add.get_by_label("Under").select_option(label="Iran")
    add.get_by_label("Colour").fill("#2a9d8f")
    add.get_by_role("button", name="Add the code").click()
    expect(page.get_by_role("status")).to_contain_text("Code “Iran/positive” added to the draft")

    page.get_by_role("link", name="Edit Iran/positive").click()
    expect(page.get_by_role("heading", name="Code “Iran/positive”")).to_be_visible()
    edit = page.get_by_role("region", name="Edit", exact=True)
    edit.get_by_label("Definition").fill("A *favourable* mention. <b>not bold</b>")
    edit.get_by_role("button", name="Save in the draft").click()
    texts = page.get_by_role("region", name="As coders read it")
    expect(texts.locator("em")).to_have_text("favourable")
    expect(texts).to_contain_text("<b>not bold</b>")
    axe_check()

    page.get_by_role("link", name="Codebook editor", exact=True).click()
    page.get_by_role("button", name="Move Syria up").click()
    rows = page.get_by_role("row")
    expect(rows.nth(3)).to_contain_text("Syria")
    draft = page.get_by_role("region", name="Draft: changes since version 1")
    expect(draft).to_contain_text("added Iran/positive")
    draft.get_by_label("What this version changes").fill("Positive mentions of Iran")
    draft.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 published")

    page.get_by_role("link", name="Versions and audit trail").click()
    expect(page.get_by_role("heading", name="Version 2")).to_be_visible()
    expect(page.get_by_role("region", name="Audit trail")).to_contain_text("Reordered")
    axe_check()

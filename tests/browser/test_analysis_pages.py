"""The analysis pages in a real browser: retrieval by keyboard with a link into the
workspace, the co-occurrence heat map opening its segments, auto-coding reviewed before it is
stored, blind coding for an annotator; each page checked with axe."""

import re

from playwright.sync_api import expect

from annotator.models import Annotation, CodingProvenance


def test_it_retrieves_segments_with_the_keyboard_and_opens_the_workspace(
    demo, page, login, axe_check
):
    login("cora")
    page.goto("/projects/1/")
    page.get_by_role("link", name="Analyse the coded corpus").click()
    page.get_by_role("link", name="Retrieve segments").click()
    axe_check()
    codes = page.get_by_role("group", name="Codes", exact=True)
    codes.get_by_role("checkbox", name="Iran", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Retrieve").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".segment").first).to_be_visible()
    expect(page.locator(".segment .code-name").first).to_have_text(re.compile("Iran"))
    axe_check()
    page.locator(".segment").first.get_by_role("link", name="open in workspace").click()
    expect(page).to_have_url(re.compile(r"/documents/\d+/.*#para-\d+$"))


def test_it_opens_the_segments_of_a_heat_map_cell(demo, page, login, axe_check):
    login("cora")
    page.goto("/projects/1/analysis/cooccurrence/")
    expect(page.locator("svg.heatmap")).to_be_visible()
    axe_check()
    cell = page.locator("svg.heatmap a").first
    cell.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Retrieve coded segments")).to_be_visible()
    expect(page.get_by_label("Only segments that")).to_have_value(re.compile("and"))


def test_it_auto_codes_only_the_hits_the_coder_accepts(demo, page, login, axe_check):
    login("alice")
    before = Annotation.objects.filter(coder__username="alice").count()
    page.goto("/projects/1/analysis/autocode/")
    page.get_by_label("Search for").fill("Kremlin")
    page.get_by_label("Whole words only").check()
    page.get_by_role("button", name="Preview hits").click()
    rows = page.locator(".review-table tbody tr")
    expect(rows.first).to_be_visible()
    axe_check()
    count = rows.count()
    assert Annotation.objects.filter(coder__username="alice").count() == before
    # Reject every hit but the first.
    for i in range(1, count):
        rows.nth(i).get_by_role("checkbox").uncheck()
    page.get_by_role("button", name="Store the ticked hits as codings").click()
    expect(page.get_by_role("status")).to_contain_text("1 coding of")
    assert Annotation.objects.filter(coder__username="alice").count() == before + 1
    assert CodingProvenance.objects.filter(annotation__coder__username="alice").count() == 1


def test_it_shows_an_annotator_only_their_own_memos(demo, page, login):
    login("bob")
    page.goto("/projects/1/analysis/memos/")
    expect(page.get_by_role("heading", name="Memos by code and coder")).to_be_visible()
    coders = page.locator(".memo-table tbody td:nth-child(2)")
    for i in range(coders.count()):
        expect(coders.nth(i)).to_have_text("bob")

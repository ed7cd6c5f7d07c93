"""The agreement report in a real browser: progress, results through htmx, plots, drill-down."""

import re

from playwright.sync_api import expect

RESULTS = re.compile(r".*/agreement/results/.*")


def test_it_shows_progress_then_the_report_and_its_heatmap(demo, page, login, axe_check):
    login("cora")
    held = []
    # Hold the results request so the progress indicator can be seen before the numbers.
    page.route(RESULTS, lambda route: held.append(route))
    with page.expect_request(RESULTS):
        page.goto("/projects/1/agreement/?bootstrap=300")
    expect(page.get_by_role("status")).to_contain_text("Computing… bootstrap of 300 replicates")
    expect(page.locator("#per-code-table")).to_have_count(0)
    assert len(held) == 1
    held[0].continue_()

    table = page.locator("#per-code-table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^Iran"))).to_be_visible()
    expect(table).to_contain_text("undefined")
    expect(page.locator("#agreement-results")).to_have_attribute("aria-busy", "false")
    heatmap = page.locator("#heatmap-img")
    expect(heatmap).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.getElementById('heatmap-img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    expect(page.get_by_role("textbox", name="Methods paragraph")).to_have_value(
        re.compile(r"^Inter-coder agreement was computed on 5 of 5 documents")
    )
    axe_check()


def test_it_drills_down_to_two_coders_side_by_side(demo, page, login, axe_check):
    login("cora")
    page.goto("/projects/1/agreement/?bootstrap=0")
    documents = page.locator("#document-table")
    expect(documents).to_be_visible()
    # Document 2 was finished by alice and bob only (carol coded two other articles).
    documents.locator("tbody tr").nth(1).get_by_role("link").click()

    columns = page.locator(".coder-column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0).get_by_role("heading")).to_contain_text("alice")
    expect(columns.nth(1).get_by_role("heading")).to_contain_text("bob")
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert right["x"] >= left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2

    # The disagreements are painted in each column (the highlight "disagree", see marks.js).
    page.wait_for_function(
        """() => { const h = CSS.highlights.get("disagree");
          const col = document.querySelector(".coder-column .doc-text");
          return !!h && [...h].some((r) => col.contains(r.startContainer)); }"""
    )
    expect(page.locator("#disagreements tbody tr").first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Disagreements \(\d+\)"))).to_be_visible()
    axe_check()


def test_it_computes_gamma_on_request_into_the_page(demo, page, login):
    login("cora")
    page.goto("/projects/1/agreement/?bootstrap=0&documents=1")
    button = page.get_by_role("link", name="Compute γ (slow on large projects)")
    expect(button).to_be_visible()
    url = page.url
    button.click()
    result = page.locator("#gamma-result #gamma-value")
    expect(result).to_contain_text("Gamma:", timeout=60_000)
    expect(page.locator("#gamma-result")).to_contain_text("CombinedCategoricalDissimilarity")
    assert page.url == url  # swapped in by htmx, not a navigation

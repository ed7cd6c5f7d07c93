"""Every code's mark is painted: for each code of the default codebook, a coding of it shows
its colour in the highlight's box, in the workspace and in the agreement drill-down, even when
every code sits on the same characters (nested elements, the deepest underlines on the last
line of a paragraph, where ``content-visibility`` clips)."""

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, Code, Document, DocumentStatus

from .highlights import assert_mark_painted, colour_pixels, marked

TITLE = "Israel, Russia... Are They Friends or Enemies?"
NEEDLE = "Friends or Enemies"


def assert_painted(locator, colour: str):
    """The element's box (glyphs, padding, underline) holds at least one row's worth of
    pixels of the colour."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box and box["width"] > 0
    png = locator.screenshot(animations="disabled", caret="hide")
    assert colour_pixels(png, colour) >= box["width"], f"{colour} is not painted in {box}"


def every_code():
    return list(Code.objects.filter(codebook_id=1).order_by("order", "id"))


def code_all_of(document, coder, start, end):
    for code in every_code():
        Annotation.objects.get_or_create(
            document=document,
            coder=coder,
            code=code,
            start_offset=start,
            end_offset=end,
        )


@pytest.fixture
def headline(demo):
    """Alice's title line carries every code of the codebook on the same characters."""
    from django.contrib.auth import get_user_model

    document = Document.objects.get(title=TITLE)
    alice = get_user_model().objects.get(username="alice")
    Annotation.objects.filter(document=document, coder=alice).delete()
    start = document.text.index(NEEDLE)
    code_all_of(document, alice, start, start + len(NEEDLE))
    return document


def test_it_paints_every_codes_underline_when_all_codes_share_one_span(page, login, headline):
    login("alice")
    page.goto(f"/projects/{headline.project_id}/documents/{headline.pk}/")
    expect(page.locator("#doc-text")).to_be_visible()
    codes = every_code()
    assert len(codes) == 5
    for code in codes:
        assert marked(page, code.pk) == [NEEDLE]
        assert_mark_painted(page, code.pk, code.color)
    # Five tracks on the title line: it makes room for five underlines, and so does its
    # paragraph, which it ends (content-visibility clips at the paragraph's box).
    expect(page.locator("#para-1")).to_have_class("ln r5")
    expect(page.locator("#para-1").locator("xpath=..")).to_have_class("para joined b5")


def test_it_paints_every_codes_mark_in_the_demo_codings(page, login, demo):
    """The demo as seeded: for each code, alice's first three marks of it are painted."""
    login("alice")
    document = Document.objects.get(title=TITLE)
    page.goto(f"/projects/{document.project_id}/documents/{document.pk}/")
    expect(page.locator("#doc-text")).to_be_visible()
    for code in every_code():
        marks = marked(page, code.pk)
        assert marks, f"alice has no demo coding of {code.name}"
        for i in range(min(3, len(marks))):
            assert_mark_painted(page, code.pk, code.color, nth=i)


# Viewport rectangle of the first line of the first disagreement run in a rendered text.
DISAGREE_RECT_JS = """(rootSelector) => {
  const root = document.querySelector(rootSelector);
  const highlight = CSS.highlights.get("disagree");
  if (!highlight) return null;
  for (const s of highlight) {
    if (!root.contains(s.startContainer)) continue;
    const r = new Range(); r.setStart(s.startContainer, s.startOffset); r.setEnd(s.endContainer, s.endOffset);
    s.startContainer.parentElement.scrollIntoView({ block: "center" });
    const box = r.getClientRects()[0];
    return { x: box.left, y: box.top, width: box.width, height: box.height };
  }
  return null;
}"""


def test_it_paints_every_codes_mark_in_the_drill_down(page, login, demo, axe_check):
    """The drill-down's columns are the workspace's side-by-side rendering (marks.js), and
    the disagreements carry a dashed line that does not rely on colour."""
    from django.contrib.auth import get_user_model

    # Document 2 was finished by alice and bob (see test_report_page).
    document = Document.objects.filter(project_id=1).order_by("order", "id")[1]
    alice = get_user_model().objects.get(username="alice")
    assert DocumentStatus.objects.filter(document=document, coder=alice, state="done").exists()
    first_line = document.text.split("\n")[0]
    start = document.text.index(first_line.split()[0])
    end = start + len(first_line.rstrip())
    code_all_of(document, alice, start, end)
    login("cora")
    page.goto(f"/projects/{document.project_id}/agreement/documents/{document.pk}/")
    column = page.locator(".coder-column").filter(has_text="alice")
    expect(column).to_have_count(1)
    root = f"#{column.get_attribute('aria-labelledby')} ~ .doc-text"
    expect(page.locator(root)).to_have_count(1)
    # No element per code any more: plain paragraphs, painted.
    expect(column.locator(".rhl, mark")).to_have_count(0)
    for code in every_code():
        assert marked(page, code.pk, root=root), f"{code.name} is not marked for alice"
        assert_mark_painted(page, code.pk, code.color, root=root)
    # Alice alone coded the first line with every code: a disagreement, framed by a dashed
    # line above the text in the danger colour.
    rect = page.evaluate(DISAGREE_RECT_JS, root)
    assert rect and rect["width"] > 0
    clip = {"x": rect["x"], "y": rect["y"] - 4, "width": rect["width"], "height": rect["height"]}
    png = page.screenshot(clip=clip, animations="disabled", caret="hide")
    assert colour_pixels(png, "#a3222a") >= rect["width"] / 3
    axe_check()

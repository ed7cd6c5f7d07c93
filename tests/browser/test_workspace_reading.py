"""Reading the workspace: hard-wrapped source lines flow as one paragraph (the demo article is
hard-wrapped at ~75 characters, one sentence over several lines), far shorter than one block
per line, and a selection across a line break still stores the right code points."""

from playwright.sync_api import expect

from annotator.models import Annotation, Document

TITLE = "Israel, Russia... Are They Friends or Enemies?"
FIRST = "The relationship between Israel"  # a source line, continued by the next one


def open_article(page, login):
    document = Document.objects.get(title=TITLE)
    Annotation.objects.filter(document=document, coder__username="alice").delete()
    login("alice")
    page.goto(f"/projects/{document.project_id}/documents/{document.pk}/")
    expect(page.locator("#doc-text")).to_be_visible()
    return document


def line_id(document, needle):
    return f"para-{document.text.count(chr(10), 0, document.text.index(needle))}"


def test_it_flows_hard_wrapped_lines_into_one_paragraph(page, login, demo):
    document = open_article(page, login)
    first = page.locator(f"#{line_id(document, FIRST)}")
    following = page.locator(f"#{line_id(document, FIRST)} + .ln")
    # Consecutive lines of one sentence share one block, and the next line goes on on the same
    # visual line as the end of the one before (the newline renders as a space).
    expect(following).to_have_count(1)
    first.scroll_into_view_if_needed()
    same_row = page.evaluate(
        """([a, b]) => {
          const end = document.getElementById(a).getClientRects();
          const start = document.getElementById(b).getClientRects();
          return Math.abs(end[end.length - 1].top - start[0].top) < 2;
        }""",
        [line_id(document, FIRST), following.get_attribute("id")],
    )
    assert same_row
    # The whole text is markedly shorter than one block per source line at the old leading.
    # (Laid out in full: content-visibility would size off-screen paragraphs by estimate.)
    height = page.locator("#doc-text").evaluate(
        """(el) => {
          el.querySelectorAll(".para").forEach((p) => { p.style.contentVisibility = "visible"; });
          return el.getBoundingClientRect().height;
        }"""
    )
    old = page.locator("#doc-text").evaluate(
        """(el) => {
          el.style.lineHeight = "2.3";
          el.querySelectorAll(".ln").forEach((ln) => { ln.style.display = "block"; });
          return el.getBoundingClientRect().height;
        }"""
    )
    assert height < 0.6 * old, (height, old)


def test_it_stores_a_mouse_selection_across_a_line_break(page, login, demo):
    document = open_article(page, login)
    first = line_id(document, FIRST)
    page.locator(f"#{first}").scroll_into_view_if_needed()
    # From "Israel" at the end of one source line to "Russia" on the next one.
    x1, y1, x2, y2 = page.evaluate(
        """([a, b]) => {
          const rect = (el, i) => { const r = document.createRange();
            r.setStart(el.firstChild, i); r.setEnd(el.firstChild, i + 1); return r.getClientRects()[0]; };
          const first = document.getElementById(a), next = first.nextElementSibling;
          const s = rect(first, first.textContent.indexOf("Israel"));
          const e = rect(next, next.textContent.indexOf("Russia") + 5);
          return [s.left + 1, (s.top + s.bottom) / 2, e.right - 1, (e.top + e.bottom) / 2];
        }""",
        [first, "Russia"],
    )
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=4)
    page.mouse.up()
    page.keyboard.press("1")
    expect(page.locator("#coding-count")).to_have_text("1")
    [coding] = Annotation.objects.filter(document=document, coder__username="alice")
    start = document.text.index(FIRST) + FIRST.index("Israel")
    assert (coding.start_offset, coding.end_offset) == (start, start + len("Israel\nand Russia"))
    assert document.text[coding.start_offset : coding.end_offset] == "Israel\nand Russia"

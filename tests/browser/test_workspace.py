"""The annotation workspace in Chromium: mouse and keyboard coding, emoji offsets, overlaps,
remove, undo, memo, blind vs curator views, accessibility."""

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, Document, DocumentStatus

from .highlights import click_mark, wait_marked

TITLE = "Israel, Russia... Are They Friends or Enemies?"

# Selects the first occurrence of `needle` in a paragraph with real mouse moves: down just
# inside the first character's left edge, up just inside the last character's right edge.
SELECT_JS = """([paraId, needle]) => {
  const para = document.getElementById(paraId);
  const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
  const nodes = []; let text = "";
  for (let t = walker.nextNode(); t; t = walker.nextNode()) { nodes.push([t, text.length]); text += t.data; }
  const at = (i) => { let hit = nodes[0];
    for (const n of nodes) if (n[1] <= i) hit = n; return [hit[0], i - hit[1]]; };
  const rect = (i) => { const [n, o] = at(i); const r = document.createRange();
    r.setStart(n, o); r.setEnd(n, o + 1); return r.getClientRects()[0]; };
  const i = text.indexOf(needle);
  const a = rect(i), b = rect(i + needle.length - 1);
  return [a.left + 1, (a.top + a.bottom) / 2, b.right - 1, (b.top + b.bottom) / 2];
}"""


def mouse_select(page, para_id, needle):
    page.locator(f"#{para_id}").scroll_into_view_if_needed()
    x1, y1, x2, y2 = page.evaluate(SELECT_JS, [para_id, needle])
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=3)
    page.mouse.move(x2, y2, steps=3)
    page.mouse.up()


@pytest.fixture
def doc(demo):
    document = Document.objects.get(title=TITLE)
    # Alice starts this document afresh; the other coders' demo codings stay.
    Annotation.objects.filter(document=document, coder__username="alice").delete()
    DocumentStatus.objects.filter(coder__username="alice").delete()
    return document


def open_workspace(page, login, doc, user="alice", query=""):
    login(user)
    page.goto(f"/projects/{doc.project_id}/documents/{doc.pk}/{query}")
    expect(page.locator("#doc-text")).to_be_visible()


def alice_codings(doc):
    return list(Annotation.objects.filter(document=doc, coder__username="alice").order_by("pk"))


def test_it_codes_a_mouse_selection_after_the_emoji_by_clicking_a_code(page, login, doc):
    open_workspace(page, login, doc)
    mouse_select(page, "para-1", "Russia")
    page.get_by_role("button", name="Iran", exact=False).first.click()
    wait_marked(page, 3, ["Russia"])
    [coding] = alice_codings(doc)
    assert doc.text[coding.start_offset : coding.end_offset] == "Russia"
    assert coding.start_offset == doc.text.index("Russia")
    expect(page.locator("#coding-count")).to_have_text("1")


def test_it_applies_several_codes_to_one_selection_by_shortcut(page, login, doc):
    open_workspace(page, login, doc)
    mouse_select(page, "para-1", "Friends or Enemies")
    page.keyboard.press("1")
    wait_marked(page, 1, ["Friends or Enemies"])
    page.keyboard.press("2")
    wait_marked(page, 2, ["Friends or Enemies"])
    wait_marked(page, 1, ["Friends or Enemies"])
    assert {c.code_id for c in alice_codings(doc)} == {1, 2}
    assert {doc.text[c.start_offset : c.end_offset] for c in alice_codings(doc)} == {
        "Friends or Enemies"
    }


def test_it_keeps_overlapping_codings_legible_and_lists_them_on_click(page, login, doc):
    open_workspace(page, login, doc)
    mouse_select(page, "para-1", "Israel, Russia")
    page.keyboard.press("1")
    wait_marked(page, 1, ["Israel, Russia"])
    mouse_select(page, "para-1", "Russia... Are")
    page.keyboard.press("3")
    # "Russia" is under both codes: each keeps its own highlight and underline track, and
    # the line makes room for two underlines.
    wait_marked(page, 3, ["Russia... Are"])
    wait_marked(page, 1, ["Israel, Russia"])
    expect(page.locator("#para-1")).to_have_class("ln r2")
    expect(page.locator("#para-1").locator("xpath=..")).to_have_class("para joined b2")
    page.evaluate("window.getSelection().removeAllRanges()")
    click_mark(page, 3)  # on "Russia", under both
    panel = page.locator("#coding-panel")
    expect(panel.locator(".panel-item")).to_have_count(2)
    expect(panel).to_contain_text("cooperation")
    expect(panel).to_contain_text("Iran")


def open_list(page):
    """The list of every coding loads on demand, in place of its link."""
    page.get_by_role("link", name="List every coding").click()
    expect(page.locator("#coding-list")).to_be_attached()


def test_it_removes_a_coding_then_undoes_the_removal_with_its_memo(page, login, doc):
    open_workspace(page, login, doc)
    open_list(page)
    mouse_select(page, "para-1", "Friends")
    page.keyboard.press("4")
    wait_marked(page, 4, ["Friends"])
    page.evaluate("window.getSelection().removeAllRanges()")
    click_mark(page, 4)
    page.get_by_label("Memo for Syria").fill("a memo that survives undo")
    page.get_by_role("button", name="Save memo").click()
    expect(page.locator("#coding-list")).to_contain_text("a memo that survives undo")
    page.get_by_role("button", name="Remove coding Syria").click()
    wait_marked(page, 4, [])
    expect(page.locator("#coding-count")).to_have_text("0")
    assert alice_codings(doc) == []
    page.locator("body").press("Control+z")
    wait_marked(page, 4, ["Friends"])
    [coding] = alice_codings(doc)
    assert coding.memo == "a memo that survives undo"


def test_it_undoes_a_coding_and_a_memo_edit(page, login, doc):
    open_workspace(page, login, doc)
    open_list(page)
    mouse_select(page, "para-1", "Enemies")
    page.keyboard.press("5")
    wait_marked(page, 5, ["Enemies"])
    page.evaluate("window.getSelection().removeAllRanges()")
    click_mark(page, 5)
    memo = page.get_by_label("Memo for trade")
    memo.fill("first thought")
    # Keys typed in a memo are text, not shortcuts: "1" must not code anything.
    memo.press("End")
    memo.type(" 1")
    page.get_by_role("button", name="Save memo").click()
    expect(page.locator("#coding-list .memo")).to_have_text("first thought 1")
    assert len(alice_codings(doc)) == 1
    page.locator("#doc-text").focus()
    page.keyboard.press("Control+z")
    expect(page.locator("#coding-list .memo")).to_have_count(0)
    assert alice_codings(doc)[0].memo == ""
    page.keyboard.press("Control+z")
    wait_marked(page, 5, [])
    expect(page.locator("#coding-count")).to_have_text("0")
    assert alice_codings(doc) == []


def test_it_codes_with_the_keyboard_only(page, login, doc):
    open_workspace(page, login, doc)
    page.keyboard.press("Tab")  # skip link
    text = page.locator("#doc-text")
    text.focus()
    expect(text).to_be_focused()
    # From the start of the text (the flag, then the title on the same visual line): down one
    # line to "Table of Contents", then extend by words.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("2")
    wait_marked(page, 2, ["Table"])
    [coding] = alice_codings(doc)
    assert doc.text[coding.start_offset : coding.end_offset] == "Table"
    expect(page.locator("#keys-help")).to_contain_text("Ctrl")


def test_it_extends_a_keyboard_selection_by_sentence(page, login, doc):
    open_workspace(page, login, doc)
    text = page.locator("#doc-text")
    text.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Alt+Shift+ArrowRight")
    page.keyboard.press("3")
    page.wait_for_function("() => CSS.highlights.has('c3t0')")
    [coding] = alice_codings(doc)
    assert doc.text[coding.start_offset : coding.end_offset].startswith("Table of Contents")


def test_it_shows_an_annotator_only_their_own_codings(page, login, doc):
    open_workspace(page, login, doc, user="bob")
    bob = Annotation.objects.filter(document=doc, coder__username="bob").count()
    expect(page.locator("#coding-count")).to_have_text(str(bob))
    expect(page.locator("#coder-select")).to_have_count(0)
    carol_ids = Annotation.objects.filter(document=doc, coder__username="carol").values_list(
        "pk", flat=True
    )
    shown = page.evaluate("JSON.parse(document.getElementById('codings').textContent)")
    assert len(shown) == 4 * bob and not set(shown[0::4]) & set(carol_ids)


def test_it_shows_a_curator_every_coder_side_by_side_read_only(page, login, doc, axe_check):
    open_workspace(page, login, doc, user="cora")
    page.get_by_label("Show the codings of").select_option(label="bob (read-only)")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Read-only: the codings of bob.")).to_be_visible()
    expect(page.locator("#apply-form")).to_have_count(0)
    page.get_by_label("Show the codings of").select_option("all")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".column")).to_have_count(2)  # bob and carol; alice starts afresh
    expect(page.get_by_role("heading", name="carol")).to_be_visible()
    click_mark(page, None, root=".column")
    expect(page.locator("#coding-panel .panel-item").first).to_contain_text("by bob")
    expect(page.get_by_role("button", name="Remove coding", exact=False)).to_have_count(0)
    axe_check()


def test_it_marks_the_document_done_and_goes_to_the_next(page, login, doc):
    open_workspace(page, login, doc)
    page.get_by_role("button", name="Mark done").click()
    expect(page.locator("#ws-status")).to_contain_text("Done")
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator("#ws-status")).to_contain_text("In progress")
    page.get_by_role("link", name="Next document").click()
    expect(page.locator("h1")).to_have_text(
        "Russia’s difficult balancing act between Iran and Israel"
    )


def test_the_workspace_and_project_page_pass_axe(page, login, doc, axe_check):
    open_workspace(page, login, doc)
    mouse_select(page, "para-1", "Russia")
    page.keyboard.press("1")
    wait_marked(page, 1, ["Russia"])
    page.locator("#doc-text").focus()
    axe_check()
    page.get_by_role("link", name="Israel–Russia relations").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#doc-text")).to_be_visible()
    page.go_back()
    axe_check()

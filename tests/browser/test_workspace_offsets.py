"""static/annotator/js/offsets.js, the one UTF-16 <-> code point conversion, in Chromium."""

from playwright.sync_api import expect

from annotator.models import Document

TITLE = "Israel, Russia... Are They Friends or Enemies?"


def open_emoji_document(page, login):
    doc = Document.objects.get(title=TITLE)
    login("alice")
    page.goto(f"/projects/{doc.project_id}/documents/{doc.pk}/")
    expect(page.locator("#doc-text")).to_be_visible()
    return doc


def test_it_counts_the_flag_emoji_as_five_code_points(demo, page, login):
    open_emoji_document(page, login)
    flag = "🇮🇱🤝🇷🇺"
    assert page.evaluate("(s) => s.length", flag) == 10
    assert page.evaluate("(s) => AnnotatorOffsets.codePointLength(s)", flag) == 5


def test_it_round_trips_every_offset_of_the_opening_paragraphs(demo, page, login):
    doc = open_emoji_document(page, login)
    end = doc.text.index("\n", doc.text.index("\n") + 1)
    round_trip = page.evaluate(
        """(end) => {
          const root = document.getElementById("doc-text");
          const out = [];
          for (let cp = 0; cp <= end; cp++) {
            const p = AnnotatorOffsets.offsetToDom(root, cp);
            out.push(AnnotatorOffsets.domToOffset(root, p.node, p.offset));
          }
          return out;
        }""",
        end,
    )
    # Offset 5 (the newline, not rendered) is the end of paragraph 0: every offset survives.
    assert round_trip == list(range(end + 1))


def test_it_reads_a_selection_after_the_emoji_in_code_points(demo, page, login):
    doc = open_emoji_document(page, login)
    start = doc.text.index("Russia")
    got = page.evaluate(
        """([s, e]) => {
          const root = document.getElementById("doc-text");
          AnnotatorOffsets.selectOffsets(root, s, e);
          return [window.getSelection().toString(), AnnotatorOffsets.selectionOffsets(root)];
        }""",
        [start, start + 6],
    )
    assert got == ["Russia", {"start": start, "end": start + 6}]

"""Reading the workspace's marks in Chromium: codings are painted with the CSS Custom
Highlight API (one highlight "c<code>t<track>" per code and underline track), so tests read
``CSS.highlights`` and, for what the eye sees, count a code's colour in a screenshot."""

import io

from PIL import Image

# Marks are StaticRanges: a live copy can be measured and read.
LIVE_JS = """const live = (s) => { const r = new Range(); r.setStart(s.startContainer, s.startOffset);
  r.setEnd(s.endContainer, s.endOffset); return r; };"""

# The texts marked with a code (in a rendered text, by default the workspace's), in text order.
MARKED_JS = (
    """([code, rootSelector]) => {
  """
    + LIVE_JS
    + """
  const root = document.querySelector(rootSelector);
  const found = [];
  for (const [name, highlight] of CSS.highlights) {
    const m = /^c(\\d+)t(\\d+)$/.exec(name);
    if (!m || Number(m[1]) !== code) continue;
    for (const range of highlight) {
      if (root && root.contains(range.startContainer)) found.push(live(range));
    }
  }
  found.sort((a, b) => a.compareBoundaryPoints(Range.START_TO_START, b));
  return found.map((r) => r.toString());
}"""
)


def marked(page, code_id: int, root: str = "#doc-text") -> list[str]:
    return page.evaluate(MARKED_JS, [code_id, root])


def wait_marked(page, code_id: int, texts: list[str], root: str = "#doc-text"):
    """Wait until the code marks exactly these texts (auto-wait, no sleep)."""
    page.wait_for_function(
        f"([code, root, want]) => JSON.stringify(({MARKED_JS})([code, root])) === JSON.stringify(want)",
        arg=[code_id, root, texts],
    )


# Viewport coordinates of the first line box of the code's (any code's, for null) nth range in
# the rendered text, scrolled into view.
RECT_JS = (
    """([code, rootSelector, nth]) => {
  """
    + LIVE_JS
    + """
  const root = document.querySelector(rootSelector);
  const found = [];
  for (const [name, highlight] of CSS.highlights) {
    const m = /^c(\\d+)t(\\d+)$/.exec(name);
    if (!m || (code !== null && Number(m[1]) !== code)) continue;
    for (const range of highlight) if (root.contains(range.startContainer)) found.push(live(range));
  }
  found.sort((a, b) => a.compareBoundaryPoints(Range.START_TO_START, b));
  const range = found[nth];
  if (!range) return null;
  range.startContainer.parentElement.scrollIntoView({ block: "center" });
  // Paragraphs brought into view are laid out and painted (content-visibility) in the next
  // frames: measure after two.
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const r = range.getClientRects()[0];
    resolve({ x: r.left, y: r.top, width: r.width, height: r.height });
  })));
}"""
)


def colour_pixels(png: bytes, hex_colour: str, tolerance: int = 24) -> int:
    """Pixels within ``tolerance`` (sum of channel differences) of the colour."""
    target = tuple(int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(
        1
        for pixel in image.get_flattened_data()
        if sum(abs(a - b) for a, b in zip(pixel, target, strict=True)) <= tolerance
    )


def assert_mark_painted(page, code_id: int, colour: str, root: str = "#doc-text", nth=0):
    """The code's nth mark shows its colour: in the line box of its text and the band below
    it where the underlines are, at least one row's worth of pixels of that colour.

    Paragraphs scrolled into view are laid out in the next frames (content-visibility), which
    can move the text: the measure is repeated until the mark stands still across its
    screenshot (as ``expect`` retries), at most ten times."""
    for _ in range(10):
        rect = page.evaluate(RECT_JS, [code_id, root, nth])
        assert rect and rect["width"] > 0, f"code {code_id} has no mark {nth}"
        clip = {**rect, "height": rect["height"] + 24}
        png = page.screenshot(clip=clip, animations="disabled", caret="hide")
        if page.evaluate(RECT_JS, [code_id, root, nth]) == rect:
            break
    assert colour_pixels(png, colour) >= rect["width"], f"{colour} is not painted in {clip}"


def click_mark(page, code_id: int | None = None, root: str = "#doc-text", nth: int = 0):
    """Click the middle of the first line of a mark, as a reader clicks a highlight."""
    rect = page.evaluate(RECT_JS, [code_id, root, nth])
    assert rect, f"no mark {nth} of code {code_id} in {root}"
    page.mouse.click(rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2)

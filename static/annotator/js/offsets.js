/* The one place where browser positions (DOM nodes and UTF-16 code units) become document
   offsets (Unicode code points, as stored on the server) and back.

   The rendered text is made of lines (elements carrying data-start: the code point offset of
   their first character; the server's text_html makes one span per line of the source, inside
   one block per paragraph, with the source's "\n" between two lines as a text node of the
   block). A DOM point is converted by measuring the text from its line's start. The functions
   below call the lines "paragraphs". */
(function () {
  "use strict";

  // Code points in a UTF-16 string: a surrogate pair counts once (a lone surrogate once too).
  function codePointLength(str) {
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  // UTF-16 index in str after `count` code points (clamped to the string's length).
  function utf16Index(str, count) {
    let i = 0;
    while (count > 0 && i < str.length) {
      const c = str.charCodeAt(i);
      const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < str.length &&
        str.charCodeAt(i + 1) >= 0xdc00 && str.charCodeAt(i + 1) <= 0xdfff;
      i += pair ? 2 : 1;
      count--;
    }
    return i;
  }

  function paragraphs(root) {
    return root.querySelectorAll("[data-start]");
  }

  function paragraphEnd(para) {
    return Number(para.dataset.start) + codePointLength(para.textContent);
  }

  // Code point offset of the DOM point (node, offset). Points between or outside paragraphs
  // resolve to the start of the next paragraph (or the end of the last one).
  function domToOffset(root, node, offset) {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const para = el && el.closest("[data-start]");
    if (para && para !== root && root.contains(para)) {
      const range = document.createRange();
      range.setStart(para, 0);
      range.setEnd(node, offset);
      return Number(para.dataset.start) + codePointLength(range.toString());
    }
    // In the "\n" between two lines of a paragraph: measured from the end of the line before.
    const before = node.nodeType === Node.TEXT_NODE && node.previousSibling;
    if (before && before.nodeType === Node.ELEMENT_NODE && before.hasAttribute("data-start") &&
        root.contains(before)) {
      return paragraphEnd(before) + codePointLength(node.data.slice(0, offset));
    }
    const paras = paragraphs(root);
    for (const p of paras) {
      const range = document.createRange();
      range.selectNodeContents(p);
      if (range.comparePoint(node, offset) < 0) return Number(p.dataset.start);
    }
    return paras.length ? paragraphEnd(paras[paras.length - 1]) : 0;
  }

  // The DOM point {node, offset} of a code point offset inside the rendered text.
  function offsetToDom(root, cp) {
    const paras = paragraphs(root);
    let para = paras[0];
    for (const p of paras) {
      if (Number(p.dataset.start) <= cp) para = p; else break;
    }
    if (!para) return { node: root, offset: 0 };
    let remaining = cp - Number(para.dataset.start);
    const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
    let last = null;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const len = codePointLength(t.data);
      if (remaining <= len) return { node: t, offset: utf16Index(t.data, remaining) };
      remaining -= len;
      last = t;
    }
    return last ? { node: last, offset: last.data.length } : { node: para, offset: 0 };
  }

  // {start, end} code points of the current selection within root, or null.
  function selectionOffsets(root) {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!range.intersectsNode(root)) return null;
    const start = domToOffset(root, range.startContainer, range.startOffset);
    const end = domToOffset(root, range.endContainer, range.endOffset);
    return start < end ? { start: start, end: end } : null;
  }

  function selectOffsets(root, start, end) {
    const a = offsetToDom(root, start);
    const b = offsetToDom(root, end);
    const range = document.createRange();
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // For converting many offsets (painting every coding): the paragraphs of root with their
  // starts, in order, and whether their text has no surrogate pair (then a code point offset
  // in it is its UTF-16 index). Paragraphs hold one text node and never change after load.
  function paragraphIndex(root) {
    const paras = Array.from(paragraphs(root));
    return {
      root: root,
      paras: paras,
      starts: paras.map(function (p) { return Number(p.dataset.start); }),
      bmp: paras.map(function (p) { return !/[\uD800-\uDFFF]/.test(p.textContent); }),
    };
  }

  // Index of the paragraph holding code point cp (the last one starting at or before it).
  function paragraphAt(index, cp) {
    let lo = 0, hi = index.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (index.starts[mid] <= cp) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function indexedPoint(index, cp) {
    const i = paragraphAt(index, cp);
    const para = index.paras[i];
    const node = para && para.firstChild;
    if (!node || para.childNodes.length !== 1 || node.nodeType !== Node.TEXT_NODE) {
      return offsetToDom(index.root, cp);
    }
    const within = Math.max(0, cp - index.starts[i]);
    const offset = index.bmp[i] ? Math.min(within, node.data.length) : utf16Index(node.data, within);
    return { node: node, offset: offset };
  }

  // A StaticRange over the code points [start, end) of the rendered text. Static, not live:
  // the text never changes, and the browser updates every live Range of the document on each
  // DOM change anywhere (thousands of them would slow every swap of a message or list entry).
  function rangeOf(index, start, end) {
    const a = indexedPoint(index, start);
    const b = indexedPoint(index, end);
    return new StaticRange({
      startContainer: a.node, startOffset: a.offset, endContainer: b.node, endOffset: b.offset,
    });
  }

  window.AnnotatorOffsets = {
    paragraphIndex: paragraphIndex,
    paragraphAt: paragraphAt,
    rangeOf: rangeOf,
    codePointLength: codePointLength,
    domToOffset: domToOffset,
    offsetToDom: offsetToDom,
    selectionOffsets: selectionOffsets,
    selectOffsets: selectOffsets,
  };
})();

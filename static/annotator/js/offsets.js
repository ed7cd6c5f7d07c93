/* The one place where browser positions (DOM nodes and UTF-16 code units) become document
   offsets (Unicode code points, as stored on the server) and back.

   Paragraphs of the rendered text carry data-start: the code point offset of their first
   character. A DOM point is converted by measuring the text from its paragraph's start. */
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
    return root.querySelectorAll(":scope > [data-start]");
  }

  function paragraphEnd(para) {
    return Number(para.dataset.start) + codePointLength(para.textContent);
  }

  // Code point offset of the DOM point (node, offset). Points between or outside paragraphs
  // resolve to the start of the next paragraph (or the end of the last one).
  function domToOffset(root, node, offset) {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const para = el && el.closest("[data-start]");
    if (para && para.parentElement === root) {
      const range = document.createRange();
      range.setStart(para, 0);
      range.setEnd(node, offset);
      return Number(para.dataset.start) + codePointLength(range.toString());
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

  window.AnnotatorOffsets = {
    codePointLength: codePointLength,
    domToOffset: domToOffset,
    offsetToDom: offsetToDom,
    selectionOffsets: selectionOffsets,
    selectOffsets: selectOffsets,
  };
})();

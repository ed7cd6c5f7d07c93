/* The annotation workspace: apply codes to the selection (mouse or keyboard), list the codings
   under a highlight, remove and edit them, undo. Every change goes to the server; the page
   swaps in only the fragments the server answers with (the coding's list entry, the status, a
   message) and paints the stored coding (marks.js) from the data the answer carries. Offsets
   come from offsets.js only. */
(function () {
  "use strict";
  const Offsets = window.AnnotatorOffsets;
  const body = document.getElementById("workspace-body");
  if (!body || !Offsets || !window.AnnotatorMarks) return;
  const views = window.AnnotatorMarks.paintAll(); // rendered text -> its painted codings
  const root = document.getElementById("doc-text");
  const view = root ? views.get(root) : null;
  const editable = !!(root && root.hasAttribute("data-editable"));
  const base = body.dataset.codingUrl; // .../codings/
  const applyForm = document.getElementById("apply-form");
  const csrf = applyForm ? applyForm.querySelector("[name=csrfmiddlewaretoken]").value : "";
  const shortcuts = new Map();
  document.querySelectorAll(".code-btn[data-shortcut]").forEach(function (btn) {
    if (btn.dataset.shortcut) shortcuts.set(btn.dataset.shortcut.toLowerCase(), btn.dataset.code);
  });
  const undoStack = [];
  let lastSelection = null; // {start, end}: survives focus moving to a code button
  let lastInput = "mouse"; // how the current selection was made
  let busy = Promise.resolve();

  function message(text, isError) {
    const box = document.getElementById("ws-message");
    box.textContent = text;
    box.classList.toggle("error", !!isError);
  }

  // Swap the server's fragments in: replace by id, remove [data-remove], insert new list
  // entries in text order, update live regions in place so screen readers announce them.
  function applyFragments(htmlOrTemplate) {
    let tpl = htmlOrTemplate;
    if (typeof tpl === "string") {
      tpl = document.createElement("template");
      tpl.innerHTML = htmlOrTemplate;
    }
    for (const el of Array.from(tpl.content.children)) {
      const gone = el.getAttribute("data-remove");
      if (gone) {
        const target = document.getElementById(gone);
        if (target) target.remove();
        continue;
      }
      const current = el.id && document.getElementById(el.id);
      if (current && current.hasAttribute("data-live")) {
        current.textContent = el.textContent;
        current.className = el.className;
      } else if (current) {
        current.replaceWith(el);
        if (window.htmx) window.htmx.process(el);
      } else if (el.classList.contains("coding")) {
        insertListItem(el);
      }
    }
    document.body.dispatchEvent(new CustomEvent("annotationsChanged", { bubbles: true }));
  }

  function insertListItem(item) {
    const list = document.getElementById("coding-list");
    if (!list) return;
    const key = function (li) { return [Number(li.dataset.start), Number(li.dataset.end)]; };
    const k = key(item);
    const items = list.children;
    let lo = 0, hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = key(items[mid]);
      if (m[0] < k[0] || (m[0] === k[0] && m[1] <= k[1])) lo = mid + 1; else hi = mid;
    }
    list.insertBefore(item, items[lo] || null);
  }

  // One request at a time, in order: undo must see the result of the action before it.
  function post(url, data) {
    const run = function () {
      const form = new FormData();
      Object.keys(data).forEach(function (k) { form.append(k, data[k]); });
      return fetch(url, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
      }).then(function (response) {
        return response.text().then(function (text) {
          // What undo needs comes in the body (never a header: memos are user text).
          const tpl = document.createElement("template");
          tpl.innerHTML = text;
          const data = tpl.content.querySelector("template[data-ws-coding]");
          const coding = data ? JSON.parse(data.dataset.wsCoding) : null;
          if (data) data.remove();
          if (response.ok || tpl.content.getElementById("ws-message")) applyFragments(tpl);
          if (response.ok && coding && view) paintCoding(coding);
          else message("The server refused this change (" + response.status + ").", true);
          return { ok: response.ok, coding: coding };
        });
      }).catch(function () {
        message("The change could not be saved: the server did not answer.", true);
        return { ok: false, coding: null };
      });
    };
    busy = busy.then(run, run);
    return busy;
  }

  // The stored coding as the server answered: painted (or unpainted) and counted.
  function paintCoding(coding) {
    if (coding.deleted) view.remove(coding.id);
    else if (coding.code !== undefined) view.set(coding);
    else return;
    const count = document.getElementById("coding-count");
    if (count) count.textContent = String(view.codings.size);
  }

  function currentSelection() {
    return (root && Offsets.selectionOffsets(root)) || lastSelection;
  }

  function applyCode(codeId) {
    const span = currentSelection();
    if (!span) {
      message("Select some text first.", true);
      return;
    }
    return post(base + "new/", { code: codeId, start: span.start, end: span.end }).then(function (r) {
      if (!r.ok || !r.coding) return;
      if (r.coding.created) undoStack.push({ type: "create", id: r.coding.id });
      // Further codes apply to the same stored span. A keyboard user gets it selected (as
      // stored: trimmed, snapped to words) to extend it further; a mouse user's selection is
      // cleared, so that the next drag starts a new selection instead of dragging text.
      lastSelection = { start: r.coding.start, end: r.coding.end };
      if (lastInput === "keyboard") Offsets.selectOffsets(root, r.coding.start, r.coding.end);
      else window.getSelection().removeAllRanges();
    });
  }

  function undo() {
    const action = undoStack.pop();
    if (!action) {
      message("Nothing to undo.");
      return;
    }
    if (action.type === "create") post(base + action.id + "/delete/", {});
    else if (action.type === "delete") {
      post(base + "new/", { code: action.code, start: action.start, end: action.end, memo: action.memo })
        .then(function (r) {
          // The re-created coding has a new id: later undos of memo edits must follow it.
          if (r.ok && r.coding) undoStack.forEach(function (a) { if (a.id === action.id) a.id = r.coding.id; });
        });
    } else if (action.type === "memo") post(base + action.id + "/memo/", { memo: action.before });
  }

  function showPanel(ids) {
    if (!ids.length) return;
    fetch(base + "?ids=" + ids.join(","), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        applyFragments(html);
        const panel = document.getElementById("coding-panel");
        if (panel) panel.focus({ preventScroll: true });
      });
  }

  // Code point of the character under the pointer in a rendered text, or null.
  function charAt(textRoot, x, y) {
    let node, offset;
    if (document.caretPositionFromPoint) {
      const pos = document.caretPositionFromPoint(x, y);
      if (!pos) return null;
      node = pos.offsetNode; offset = pos.offset;
    } else {
      const range = document.caretRangeFromPoint(x, y);
      if (!range) return null;
      node = range.startContainer; offset = range.startOffset;
    }
    if (!textRoot.contains(node) || node.nodeType !== Node.TEXT_NODE) return null;
    // The caret falls between two characters: take the one the pointer is over.
    if (offset < node.data.length) {
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + 1);
      const rect = range.getBoundingClientRect();
      if (x < rect.left && offset > 0) offset--;
    } else if (offset > 0) offset--;
    return Offsets.domToOffset(textRoot, node, offset);
  }

  // Clicking a highlight (without selecting) lists the codings under it.
  body.addEventListener("click", function (event) {
    const listLink = event.target.closest("a[data-ws-list]");
    if (listLink) {
      // The list of every coding is loaded on demand, in place of its link.
      event.preventDefault();
      fetch(listLink.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          const box = document.getElementById("coding-list-box");
          box.innerHTML = html;
          const list = document.getElementById("coding-list");
          if (list) { list.tabIndex = -1; list.focus({ preventScroll: true }); }
        });
      return;
    }
    const link = event.target.closest("a.coding-link");
    if (link) {
      event.preventDefault();
      showPanel([link.dataset.ann]);
      return;
    }
    const textRoot = event.target.closest("[data-codings]");
    const sel = window.getSelection();
    if (textRoot && views.has(textRoot) && (!sel || sel.isCollapsed)) {
      const cp = charAt(textRoot, event.clientX, event.clientY);
      if (cp !== null) showPanel(views.get(textRoot).idsAt(cp));
    }
  });

  // Forms of the coding panel (memo, remove) and the code buttons go through fetch.
  body.addEventListener("submit", function (event) {
    const form = event.target;
    if (form === applyForm) {
      event.preventDefault();
      const button = event.submitter;
      const start = form.querySelector("[name=start]").value;
      const end = form.querySelector("[name=end]").value;
      if (button && button.dataset.code) {
        if (start !== "" && end !== "" && !currentSelection()) lastSelection = { start: Number(start), end: Number(end) };
        applyCode(button.dataset.code);
      }
      return;
    }
    const kind = form.dataset.ws;
    if (!kind) return;
    event.preventDefault();
    const data = {};
    new FormData(form).forEach(function (v, k) { if (k !== "csrfmiddlewaretoken") data[k] = v; });
    post(form.action, data).then(function (r) {
      if (!r.ok || !r.coding) return;
      if (kind === "delete") undoStack.push(Object.assign({ type: "delete" }, r.coding));
      if (kind === "memo") undoStack.push({ type: "memo", id: r.coding.id, before: r.coding.before });
    });
  });

  if (root && editable) {
    document.addEventListener("selectionchange", function () {
      const sel = window.getSelection();
      if (!sel || sel.rangeCount === 0) return;
      // Only a non-empty selection is remembered; it is forgotten when a new one starts
      // (mouse down in the text, a caret move, Esc), not when a repaint collapses it.
      if (!sel.isCollapsed) {
        const span = Offsets.selectionOffsets(root);
        if (span) lastSelection = span;
      }
      placeCaret();
    });
    root.addEventListener("mousedown", function () {
      lastSelection = null;
      lastInput = "mouse";
    });
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (typing(event.target)) return;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "z" && editable) {
      event.preventDefault();
      undo();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || !editable) return;
    const code = shortcuts.get(event.key.toLowerCase());
    if (code) {
      event.preventDefault();
      applyCode(code);
    }
  });

  // Keyboard-only selection: a caret moved with the Selection API over the read-only text.
  const caret = document.createElement("span");
  caret.className = "ws-caret";
  caret.hidden = true;
  caret.setAttribute("aria-hidden", "true");
  document.body.appendChild(caret);

  function placeCaret() {
    const sel = window.getSelection();
    if (!root || document.activeElement !== root || !sel || sel.rangeCount === 0 || !sel.isCollapsed ||
        !root.contains(sel.focusNode)) {
      caret.hidden = true;
      return;
    }
    const range = document.createRange();
    range.setStart(sel.focusNode, sel.focusOffset);
    const rects = range.getClientRects();
    const rect = rects.length ? rects[0] : null;
    if (!rect) { caret.hidden = true; return; }
    caret.hidden = false;
    caret.style.left = (rect.left + window.scrollX) + "px";
    caret.style.top = (rect.top + window.scrollY) + "px";
    caret.style.height = (rect.height || 20) + "px";
  }

  function ensureSelectionInRoot() {
    const sel = window.getSelection();
    if (sel.rangeCount && root.contains(sel.focusNode)) return sel;
    const first = Offsets.offsetToDom(root, Number((root.querySelector("[data-start]") || root).dataset.start || 0));
    sel.collapse(first.node, first.offset);
    return sel;
  }

  const MOVES = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward" };
  if (root) {
    root.addEventListener("keydown", function (event) {
      if (event.key in MOVES) {
        const vertical = event.key === "ArrowUp" || event.key === "ArrowDown";
        let unit = "character";
        if (vertical) unit = "line";
        else if (event.altKey) unit = "sentence";
        else if (event.ctrlKey || event.metaKey) unit = "word";
        event.preventDefault();
        lastInput = "keyboard";
        if (!event.shiftKey) lastSelection = null;
        const sel = ensureSelectionInRoot();
        sel.modify(event.shiftKey ? "extend" : "move", MOVES[event.key], unit);
        placeCaret();
      } else if (event.key === "Escape") {
        const sel = window.getSelection();
        if (sel.rangeCount) sel.collapseToEnd();
        lastSelection = null;
      } else if (event.key === "Enter") {
        const sel = window.getSelection();
        if (sel.rangeCount && view) showPanel(view.idsAt(Offsets.domToOffset(root, sel.focusNode, sel.focusOffset)));
      }
    });
    root.addEventListener("focus", placeCaret);
    root.addEventListener("blur", function () { caret.hidden = true; });
  }
})();

/* The curation page. Its panel is swapped whole: by the live refresh (htmx polling, when
   another coder's codings change) and after each action. Neither may erase what the curator is
   typing: before a swap, remember every field the curator changed (its value differs from the
   one the server rendered) and which field had the focus, caret included, and put them back
   into the new panel. Only a form just submitted successfully starts afresh: its values were
   used. Hidden fields (the gold standard's version) always take the server's new value. */
(function () {
  "use strict";
  const PANEL = "curation-panel";
  let saved = null;

  function changed(field) {
    if (!field.id || field.type === "hidden" || field.type === "submit") return false;
    if (field.tagName === "SELECT") {
      return Array.from(field.options).some((o) => o.selected !== o.defaultSelected);
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    return field.value !== field.defaultValue;
  }

  // How to find the focused element again in the new panel: its id, else a button's label.
  function selectorOf(element) {
    if (element.id) return "#" + CSS.escape(element.id);
    const label = element.getAttribute("aria-label");
    if (element.tagName === "BUTTON" && label) return 'button[aria-label="' + CSS.escape(label) + '"]';
    return null;
  }

  function caret(field) {
    try {
      return field.selectionStart === null ? null : [field.selectionStart, field.selectionEnd];
    } catch (error) {
      return null; // number inputs have no caret position
    }
  }

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const panel = document.getElementById(PANEL);
    if (!panel || event.detail.target !== panel) return;
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    const succeeded = event.detail.xhr.status < 400;
    const used = succeeded && source && source.tagName === "FORM" ? source : null;
    const fresh = (element) => used !== null && used.contains(element);
    saved = { fields: [], focus: null };
    panel.querySelectorAll("input, textarea, select").forEach((field) => {
      if (fresh(field) || !changed(field)) return;
      saved.fields.push({
        id: field.id,
        value: field.value,
        checked: field.checked,
        selected: field.tagName === "SELECT" ? Array.from(field.selectedOptions, (o) => o.value) : null,
      });
    });
    const active = document.activeElement;
    if (active && panel.contains(active) && !fresh(active)) {
      const selector = selectorOf(active);
      if (selector) saved.focus = { selector: selector, caret: caret(active) };
    }
  });

  document.body.addEventListener("htmx:afterSwap", () => {
    const panel = document.getElementById(PANEL);
    if (!panel || saved === null) return;
    const state = saved;
    saved = null;
    for (const item of state.fields) {
      const field = document.getElementById(item.id);
      if (!field || !panel.contains(field)) continue;
      if (item.selected !== null) {
        Array.from(field.options).forEach((o) => { o.selected = item.selected.includes(o.value); });
      } else if (field.type === "checkbox" || field.type === "radio") {
        field.checked = item.checked;
      } else {
        field.value = item.value;
      }
    }
    if (state.focus) {
      const element = panel.querySelector(state.focus.selector);
      if (element) {
        element.focus({ preventScroll: true });
        if (state.focus.caret) {
          try {
            element.setSelectionRange(state.focus.caret[0], state.focus.caret[1]);
          } catch (error) {
            // the element has no caret (a button, a number input)
          }
        }
      }
    }
  });
})();

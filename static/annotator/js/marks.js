/* Paints codings over the rendered text with the CSS Custom Highlight API: no element per
   piece of text, so the page stays light on long documents and a new coding repaints without
   touching the DOM.

   Each code's run (its codings merged, touching ones too) gets an underline track: the lowest
   one free at the run's start (interval colouring, greedy by start, so as many tracks as codes
   ever overlap). The run is one Range in the highlight "c<code>t<track>", whose ::highlight()
   rule (in the page's style block) draws the code's tint and an underline at that track's
   depth. Each line gets class r<n> for the room n underlines need (and its paragraph b<n>
   when it is the paragraph's last line). Offsets become DOM
   positions only through offsets.js. */
(function () {
  "use strict";
  const Offsets = window.AnnotatorOffsets;
  const supported = !!(window.CSS && CSS.highlights && window.Highlight);
  const registry = new Map(); // highlight name -> Highlight, shared by every view on the page

  function highlight(name) {
    let h = registry.get(name);
    if (!h) {
      h = new Highlight();
      CSS.highlights.set(name, h);
      registry.set(name, h);
    }
    return h;
  }

  // Runs of each code with their tracks: [{start, end, code, track}] sorted by start.
  function tracks(codings) {
    const byCode = new Map();
    codings.forEach(function (c) {
      if (!byCode.has(c.code)) byCode.set(c.code, []);
      byCode.get(c.code).push([c.start, c.end]);
    });
    const runs = [];
    byCode.forEach(function (spans, code) {
      spans.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      let s = spans[0][0], e = spans[0][1];
      for (let i = 1; i < spans.length; i++) {
        if (spans[i][0] <= e) e = Math.max(e, spans[i][1]);
        else { runs.push({ start: s, end: e, code: code }); s = spans[i][0]; e = spans[i][1]; }
      }
      runs.push({ start: s, end: e, code: code });
    });
    runs.sort(function (a, b) { return a.start - b.start || a.end - b.end || a.code - b.code; });
    const ends = [];
    runs.forEach(function (run) {
      let t = 0;
      while (t < ends.length && ends[t] > run.start) t++;
      ends[t] = run.end;
      run.track = t;
    });
    return runs;
  }

  function swapClass(el, prefix, before, after) {
    if (before) el.classList.remove(prefix + before);
    if (after) el.classList.add(prefix + after);
  }

  // One rendered text (the workspace's, or one column of the side-by-side view) and the
  // codings painted over it: flat [id, code, start, end, ...] as the server sends them.
  function View(root, flat) {
    this.root = root;
    this.index = Offsets.paragraphIndex(root);
    this.codings = new Map();
    for (let i = 0; i + 3 < flat.length; i += 4) {
      this.codings.set(flat[i], { id: flat[i], code: flat[i + 1], start: flat[i + 2], end: flat[i + 3] });
    }
    this.painted = new Map(); // "code:track:start:end" -> {name, range}
    this.rooms = new Array(this.index.paras.length).fill(0);
    this.paint();
  }

  View.prototype.set = function (coding) {
    this.codings.set(coding.id, { id: coding.id, code: coding.code, start: coding.start, end: coding.end });
    this.paint();
  };

  View.prototype.remove = function (id) {
    this.codings.delete(id);
    this.paint();
  };

  // Ids of the codings covering code point cp.
  View.prototype.idsAt = function (cp) {
    const ids = [];
    this.codings.forEach(function (c) { if (c.start <= cp && cp < c.end) ids.push(c.id); });
    return ids.sort(function (a, b) { return a - b; });
  };

  // Paint the current codings: only runs that changed (a new coding moves a few) get new
  // Ranges; only paragraphs whose room changed get a new class.
  View.prototype.paint = function () {
    const runs = tracks(Array.from(this.codings.values()));
    const next = new Map();
    const rooms = new Array(this.index.paras.length).fill(0);
    runs.forEach((run) => {
      next.set(run.code + ":" + run.track + ":" + run.start + ":" + run.end, run);
      const last = Offsets.paragraphAt(this.index, Math.max(run.start, run.end - 1));
      for (let i = Offsets.paragraphAt(this.index, run.start); i <= last; i++) {
        if (rooms[i] < run.track + 1) rooms[i] = run.track + 1;
      }
    });
    if (supported) {
      this.painted.forEach(function (old, key) {
        if (!next.has(key)) highlight(old.name).delete(old.range);
      });
      const painted = new Map();
      next.forEach((run, key) => {
        let entry = this.painted.get(key);
        if (!entry) {
          entry = { name: "c" + run.code + "t" + run.track, range: Offsets.rangeOf(this.index, run.start, run.end) };
          highlight(entry.name).add(entry.range);
        }
        painted.set(key, entry);
      });
      this.painted = painted;
    }
    rooms.forEach((n, i) => {
      if (n === this.rooms[i]) return;
      const para = this.index.paras[i];
      swapClass(para, "r", this.rooms[i], n);
      // The last line of a paragraph also gives the paragraph its bottom room.
      if (para.parentElement !== this.root && para.parentElement.lastElementChild === para) {
        swapClass(para.parentElement, "b", this.rooms[i], n);
      }
    });
    this.rooms = rooms;
  };

  // A view for every rendered text that names its codings' data block. A text that names a
  // block of disagreement runs (flat [start, end, ...]: the agreement drill-down) also gets
  // them in the highlight "disagree" (a dashed line, not a colour).
  function paintAll() {
    const views = new Map();
    const parsed = new Map();
    const read = function (id) {
      if (!parsed.has(id)) {
        const data = document.getElementById(id);
        parsed.set(id, data ? JSON.parse(data.textContent) : []);
      }
      return parsed.get(id);
    };
    document.querySelectorAll("[data-codings]").forEach(function (root) {
      const view = new View(root, read(root.dataset.codings));
      views.set(root, view);
      const runs = root.dataset.disagreements ? read(root.dataset.disagreements) : [];
      if (!supported) return;
      for (let i = 0; i + 1 < runs.length; i += 2) {
        highlight("disagree").add(Offsets.rangeOf(view.index, runs[i], runs[i + 1]));
      }
    });
    return views;
  }

  window.AnnotatorMarks = { supported: supported, paintAll: paintAll, tracks: tracks };
})();

/* The agreement drill-down: each coder's column painted as the workspace's side-by-side view
   (marks.js), with the disagreement runs framed. */
(function () {
  "use strict";
  if (window.AnnotatorMarks) window.AnnotatorMarks.paintAll();
})();

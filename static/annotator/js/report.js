/* The agreement report. Its results load through htmx while a progress indicator is shown; if
   computing them fails (a server error or a lost connection, which htmx does not swap in), say
   so in place of the indicator instead of showing "Computing…" forever. Filter errors (4xx)
   are swapped in by htmx itself (responseHandling in base.html). */
(function () {
  "use strict";

  function failed(event) {
    const target = event.detail.target;
    if (!target || target.id !== "agreement-results") {
      return;
    }
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    const message = document.createElement("p");
    message.className = "error";
    message.setAttribute("role", "alert");
    message.textContent =
      "The report could not be computed" + (status ? " (error " + status + ")" : "") +
      ". Reload the page to try again.";
    target.replaceChildren(message);
    target.setAttribute("aria-busy", "false");
  }

  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
})();

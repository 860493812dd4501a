// PDF progress without reloading the page (clinics/pdf/_status.html). Each
// [data-pdf-status-url] block polls its JSON status URL and replaces the content of its
// role="status" region (server-rendered HTML) until the job is done or has failed. Without
// JavaScript the "Check again" link reloads the page instead. A static file, so the strict
// Content-Security-Policy holds.
(function () {
  "use strict";
  if (window.qaPdfStatus) { return; }
  window.qaPdfStatus = true;
  var INTERVAL = 2000;
  var MAX_POLLS = 300;

  function poll(block, url, count) {
    if (count > MAX_POLLS) { return; }
    window.setTimeout(function () {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (data) {
          var region = block.querySelector("[role=status]");
          if (data.html !== undefined && region && data.state !== block.getAttribute("data-pdf-state")) {
            region.innerHTML = data.html;
            block.setAttribute("data-pdf-state", data.state);
          }
          if (data.finished) {
            block.removeAttribute("data-pdf-status-url");
            document.dispatchEvent(new CustomEvent("pdf-status:finished", { detail: data }));
          } else {
            poll(block, url, count + 1);
          }
        })
        .catch(function () { poll(block, url, count + 5); });
    }, INTERVAL);
  }

  function start() {
    var blocks = document.querySelectorAll("[data-pdf-status-url]");
    Array.prototype.forEach.call(blocks, function (block) {
      poll(block, block.getAttribute("data-pdf-status-url"), 0);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

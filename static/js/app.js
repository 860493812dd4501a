// Progressive enhancement. GOV.UK Frontend only initialises its components once <body> has
// this class; it is set here, not in an inline script, so the strict CSP holds.
(function () {
  "use strict";
  document.body.classList.add("govuk-frontend-supported");
  if (window.GOVUKFrontend && typeof window.GOVUKFrontend.initAll === "function") {
    window.GOVUKFrontend.initAll();
  }
})();

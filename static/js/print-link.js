// "Print this page" links (data-app-print): hidden until this script can print, so a page
// without JavaScript never shows a link that does nothing. A static file, not an inline
// script, so the strict Content-Security-Policy holds.
(function () {
  "use strict";
  var links = document.querySelectorAll("[data-app-print]");
  Array.prototype.forEach.call(links, function (link) {
    link.hidden = false;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });
})();

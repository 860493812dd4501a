// The highlight report's word counts and expected length, updated as the author types
// (DESIGN section 8: about three sides of A4; a warning above, never a block).
//
// The server gives the sides taken by everything but the narrative (data-base-sides) and the
// formula's constants (clinics/length.py); this script adds the narrative's words so the counts
// move with each keystroke. After each autosave the server's own estimate (the JSON "length")
// replaces this one. Without JavaScript the page shows the counts as last saved.
(function () {
  "use strict";

  var panel = document.querySelector("[data-report-length]");
  var form = document.querySelector("form[data-autosave]");
  if (!panel || !form) {
    return;
  }
  var baseSides = parseFloat(panel.getAttribute("data-base-sides")) || 0;
  var wordsPerSide = parseFloat(panel.getAttribute("data-words-per-side")) || 500;
  var headingSides = parseFloat(panel.getAttribute("data-heading-sides")) || 0;
  var maxSides = parseInt(panel.getAttribute("data-max-sides"), 10) || 3;
  var sidesNode = panel.querySelector("[data-length-sides]");
  var sidesPlural = panel.querySelector("[data-length-sides-plural]");
  var wordsNode = panel.querySelector("[data-length-words]");
  var wordsPlural = panel.querySelector("[data-length-words-plural]");
  var warning = document.getElementById("length-warning");
  var appendixForm = document.getElementById("appendix-form");

  function countWords(text) {
    var words = (text || "").trim().split(/\s+/);
    return words[0] === "" ? 0 : words.length;
  }

  function setText(node, text) {
    if (node && node.textContent !== text) {
      node.textContent = text;
    }
  }

  function show(sides, totalWords) {
    setText(sidesNode, String(sides));
    setText(sidesPlural, sides === 1 ? "" : "s");
    setText(wordsNode, String(totalWords));
    setText(wordsPlural, totalWords === 1 ? "" : "s");
    var over = sides > maxSides;
    if (warning) {
      warning.hidden = !over;
    }
    if (appendixForm) {
      appendixForm.hidden = !over;
    }
  }

  function update() {
    var total = 0;
    var written = 0;
    var groups = form.querySelectorAll("[data-word-count]");
    Array.prototype.forEach.call(groups, function (group) {
      var box = group.querySelector("textarea");
      var count = group.querySelector("[data-words]");
      var plural = group.querySelector("[data-words-plural]");
      var words = countWords(box ? box.value : "");
      total += words;
      if (words) {
        written += 1;
      }
      setText(count, String(words));
      setText(plural, words === 1 ? "" : "s");
    });
    var body = baseSides + written * headingSides + total / wordsPerSide;
    show(Math.max(1, Math.ceil(Math.round(body * 100) / 100)), total);
  }

  form.addEventListener("input", update);
  form.addEventListener("autosave:saved", function (event) {
    var length = event.detail && event.detail.length;
    if (length) {
      show(length.sides, length.total_words);
    }
  });
  update();
})();

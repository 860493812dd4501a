// Autosave for long forms (DESIGN section 10: nothing typed is lost).
//
// Posts the same form to the same URL as "Save and come back later", on change and input,
// debounced, one request at a time (a change made meanwhile is saved once it finishes). The
// server answers JSON: the new version of each part (copied into the hidden "<part>-version"
// inputs), conflicts (409: both texts shown, nothing overwritten), draft-rule errors (400) or
// 401 when signed out. Anything but a 2xx JSON answer counts as not saved.
// Conditional reveals on radios ("Not applicable" → the reason; "Yes" → the date): GOV.UK's
// radios script would mark the radio aria-expanded, which a radio may not carry, so the reveal
// is kept here with aria-controls only. The revealed field follows its option in reading order.
(function () {
  "use strict";

  var triggers = document.querySelectorAll("input[type=radio][data-app-reveal]");
  Array.prototype.forEach.call(triggers, function (trigger) {
    var target = document.getElementById(trigger.getAttribute("data-app-reveal"));
    if (!target) {
      return;
    }
    trigger.setAttribute("aria-controls", target.id);
    var sync = function () {
      target.classList.toggle("govuk-radios__conditional--hidden", !trigger.checked);
    };
    var group = document.querySelectorAll("input[type=radio][name='" + trigger.name + "']");
    Array.prototype.forEach.call(group, function (radio) {
      radio.addEventListener("change", sync);
    });
    window.addEventListener("pageshow", sync);
    sync();
  });
})();

(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  // What the form edits, in the messages ("this audit", "this report").
  var noun = form.getAttribute("data-autosave-noun") || "audit";
  var panel = document.getElementById("autosave-conflicts");
  var panelBody = panel ? panel.querySelector("[data-conflict-body]") : null;

  var DEBOUNCE_MS = 1500;
  var FIRST_RETRY_MS = 2000;
  var MAX_RETRY_MS = 60000;
  var SIGNED_OUT =
    "You have been signed out. Your last changes are not saved: copy them, then sign in again.";

  var timer = null;
  var inFlight = null;
  var dirty = false;
  var retryMs = 0;
  var stopped = false;
  var leaving = false;
  // Signed out: trying again on a timer cannot help; the next edit tries again.
  var waitForEdit = false;

  function say(text) {
    if (status && status.textContent !== text) {
      status.textContent = text;
    }
  }

  function schedule(delay) {
    if (stopped) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      timer = null;
      save();
    }, delay);
  }

  function onEdit(event) {
    var target = event.target;
    if (!target || target.type === "hidden" || !target.name) {
      return;
    }
    dirty = true;
    retryMs = 0;
    waitForEdit = false;
    if (!inFlight) {
      schedule(DEBOUNCE_MS);
    }
  }

  function updateVersions(versions) {
    if (!versions) {
      return;
    }
    Object.keys(versions).forEach(function (part) {
      var input = form.elements.namedItem(part + "-version");
      if (input) {
        input.value = String(versions[part]);
      }
    });
  }

  function failed() {
    // The server did not confirm the save: keep the changes marked unsaved and try again later.
    dirty = true;
    retryMs = retryMs ? Math.min(retryMs * 2, MAX_RETRY_MS) : FIRST_RETRY_MS;
    say("Not saved — retrying");
    schedule(retryMs);
  }

  function text(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    node.textContent = content;
    return node;
  }

  function hideConflicts() {
    if (panel && !panel.hidden) {
      panel.hidden = true;
      panelBody.textContent = "";
    }
  }

  function showConflicts(conflicts) {
    if (!panel || !panelBody) {
      return;
    }
    panelBody.textContent = "";
    panelBody.appendChild(
      text(
        "p",
        "govuk-notification-banner__heading",
        "Someone else saved changes to this " + noun + " while you were working. Nothing has been overwritten."
      )
    );
    panelBody.appendChild(
      text(
        "p",
        "govuk-body",
        "Compare the two versions. Keep your text, or reload the page to use the saved text " +
          "(copy anything of yours you need first)."
      )
    );
    conflicts.forEach(function (conflict) {
      var table = document.createElement("table");
      table.className = "govuk-table";
      table.appendChild(text("caption", "govuk-table__caption govuk-table__caption--s", conflict.label));
      var head = document.createElement("thead");
      head.className = "govuk-table__head";
      var headRow = document.createElement("tr");
      headRow.className = "govuk-table__row";
      ["Answer", "Your text", "The saved text"].forEach(function (heading) {
        var th = text("th", "govuk-table__header", heading);
        th.scope = "col";
        headRow.appendChild(th);
      });
      head.appendChild(headRow);
      table.appendChild(head);
      var body = document.createElement("tbody");
      body.className = "govuk-table__body";
      conflict.fields.forEach(function (item) {
        var row = document.createElement("tr");
        row.className = "govuk-table__row";
        var th = text("th", "govuk-table__header", item.label);
        th.scope = "row";
        row.appendChild(th);
        row.appendChild(text("td", "govuk-table__cell", item.yours));
        row.appendChild(text("td", "govuk-table__cell", item.theirs));
        body.appendChild(row);
      });
      table.appendChild(body);
      panelBody.appendChild(table);

      var group = document.createElement("div");
      group.className = "govuk-button-group";
      var keep = text("button", "govuk-button govuk-button--secondary", "Keep my text for " + conflict.label);
      keep.type = "button";
      keep.addEventListener("click", function () {
        // Deliberately keep this person's text: they have seen both.
        var input = form.elements.namedItem(conflict.part + "-version");
        if (input) {
          input.value = String(conflict.version);
        }
        table.remove();
        group.remove();
        if (!panelBody.querySelector("table")) {
          hideConflicts();
        }
        dirty = true;
        save();
      });
      var reload = text("a", "govuk-link", "Reload the page to use the saved text");
      reload.href = form.getAttribute("action") || window.location.href;
      group.appendChild(keep);
      group.appendChild(reload);
      panelBody.appendChild(group);
    });
    panel.hidden = false;
  }

  function firstError(errors) {
    var names = Object.keys(errors || {});
    if (!names.length || !errors[names[0]].length) {
      return "";
    }
    return errors[names[0]][0];
  }

  function handle(result) {
    var body = result.body || {};
    updateVersions(body.versions);
    if (result.status >= 200 && result.status < 300) {
      retryMs = 0;
      hideConflicts();
      say("Saved at " + body.saved_at);
      // Pages may add to a save (the highlight report's length estimate): they listen for this.
      if (typeof window.CustomEvent === "function") {
        form.dispatchEvent(new window.CustomEvent("autosave:saved", { detail: body }));
      }
    } else if (result.status === 401) {
      dirty = true;
      waitForEdit = true;
      say(SIGNED_OUT);
    } else if (result.status === 409 && body.conflicts && body.conflicts.length) {
      showConflicts(body.conflicts);
      say("Not saved — someone else has changed part of this " + noun + ". Compare the two texts at the top of the form.");
    } else if (result.status === 409) {
      stopped = true;
      say("Not saved — " + (body.message || "this " + noun + " can no longer be changed."));
    } else if (result.status === 400) {
      say("Not saved — " + (firstError(body.errors) || "check your answers") + ". Use “Save and come back later” to see every problem.");
    } else {
      failed();
    }
  }

  function save() {
    if (stopped || leaving) {
      return Promise.resolve();
    }
    if (inFlight) {
      return inFlight;
    }
    if (!dirty) {
      return Promise.resolve();
    }
    dirty = false;
    var data = new FormData(form);
    data.set("_autosave", "1");
    data.delete("action");
    inFlight = window
      .fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("Not a JSON answer");
        }
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(handle, failed)
      .then(function () {
        inFlight = null;
        if (dirty && !timer && !stopped && !waitForEdit) {
          schedule(retryMs || DEBOUNCE_MS);
        }
      });
    return inFlight;
  }

  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  // A normal submit carries everything; wait for a save in flight first so that its new
  // versions go with the form (otherwise the form would clash with its own autosave).
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    timer = null;
    if (inFlight) {
      event.preventDefault();
      var submitter = event.submitter || null;
      inFlight.then(function () {
        leaving = true;
        if (form.requestSubmit) {
          form.requestSubmit(submitter);
        } else {
          form.submit();
        }
      });
      return;
    }
    leaving = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (!leaving && (dirty || inFlight || timer)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();

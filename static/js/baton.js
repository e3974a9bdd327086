// Baton's small page helpers. No inline scripts anywhere (CSP): everything hooks up here.
(function () {
  "use strict";

  // Keep the header clock ticking in the viewer's zone (from data-zone) between page loads.
  function tickClocks() {
    document.querySelectorAll("time[data-clock][data-zone]").forEach(function (el) {
      try {
        var parts = new Intl.DateTimeFormat("en-GB", {
          timeZone: el.dataset.zone,
          hour: "2-digit",
          minute: "2-digit",
          weekday: "short",
          hourCycle: "h23",
        }).formatToParts(new Date());
        var get = function (type) {
          var part = parts.find(function (p) { return p.type === type; });
          return part ? part.value : "";
        };
        // "Tue 03:12" (or "Tue 3:12 am"), as the server writes it (core/timefmt.py).
        var hour = get("hour");
        var minute = get("minute");
        if ("hour12" in el.dataset) {
          var h = parseInt(hour, 10);
          el.textContent = get("weekday") + " " + (h % 12 || 12) + ":" + minute + " " + (h < 12 ? "am" : "pm");
        } else {
          el.textContent = get("weekday") + " " + hour + ":" + minute;
        }
      } catch (e) {
        // Unknown zone in this browser: keep the server's rendering.
      }
    });
  }

  // <form data-confirm="Really?"> asks before submitting (deactivate, remove, revoke).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  }, true);

  // Select the one-time token on click so it is easy to copy.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.matches("[data-select-all]")) {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
  });

  // <select data-typeahead> (the directory's team picker: 1,500 teams in a big org) gets a
  // type-ahead box in its place: the browser suggests matching names from a <datalist> built
  // from the select's own options, and choosing one sets the select, which stays the form's
  // field (and is what works without JavaScript).
  function enhanceTypeahead(select) {
    if (select.dataset.typeaheadReady) {
      return;
    }
    select.dataset.typeaheadReady = "1";
    var input = document.createElement("input");
    var list = document.createElement("datalist");
    input.type = "search";
    input.id = select.id + "-search";
    list.id = select.id + "-suggestions";
    input.setAttribute("list", list.id);
    input.autocomplete = "off";
    input.className = "typeahead";
    var idByName = new Map();
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.value === "") {
        input.placeholder = option.text;
        return;
      }
      // Two teams with one name stay distinct: the later ones carry their id.
      var name = idByName.has(option.text) ? option.text + " #" + option.value : option.text;
      idByName.set(name, option.value);
      option.dataset.typeaheadName = name;
      var suggestion = document.createElement("option");
      suggestion.value = name;
      list.appendChild(suggestion);
    });
    var selected = select.selectedOptions[0];
    input.value = selected && selected.value ? selected.dataset.typeaheadName : "";

    function choose(final) {
      var name = input.value.trim();
      var id = name === "" ? "" : idByName.get(name);
      if (id === undefined) {
        if (final) {
          input.setCustomValidity("Choose a team from the list.");
          input.reportValidity();
        }
        return;
      }
      input.setCustomValidity("");
      if (select.value !== id) {
        select.value = id;
        // The form filters on "change" (htmx); the select's change carries the new value.
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    // Keystrokes here are not filters yet: keep them from the form's "input" trigger.
    input.addEventListener("input", function (event) {
      event.stopPropagation();
      choose(false);
    });
    input.addEventListener("change", function (event) {
      event.stopPropagation();
      choose(true);
    });
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.htmlFor = input.id;
    }
    select.classList.add("visually-hidden");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(list, select);
  }

  // Timeline bars (<g class="seg" tabindex="0" aria-label="...">) show their text in a tooltip
  // under the pointer and on keyboard focus. The SVG <title> is the no-JavaScript fallback;
  // it is taken out here so the browser's own tooltip does not show the same text twice.
  var barTip = null;
  var tipFor = null;

  function showBarTip(seg) {
    var text = seg.getAttribute("aria-label");
    if (!text) {
      return;
    }
    if (!barTip) {
      barTip = document.createElement("div");
      barTip.className = "bar-tip";
      barTip.id = "bar-tip";
      barTip.setAttribute("role", "tooltip");
      barTip.hidden = true;
      document.body.appendChild(barTip);
    }
    tipFor = seg;
    barTip.textContent = text;
    barTip.hidden = false;
    // Below the bar, kept inside the viewport (CSSOM styles are allowed by the CSP).
    var box = seg.getBoundingClientRect();
    var width = barTip.offsetWidth;
    var left = Math.min(Math.max(box.left, 8), document.documentElement.clientWidth - width - 8);
    barTip.style.left = Math.max(left, 8) + window.scrollX + "px";
    barTip.style.top = box.bottom + window.scrollY + 4 + "px";
  }

  function hideBarTip(seg) {
    if (barTip && (!seg || seg === tipFor)) {
      barTip.hidden = true;
      tipFor = null;
    }
  }

  function barOf(target) {
    return target instanceof Element ? target.closest("svg g.seg[aria-label]") : null;
  }

  // handle(seg, event) for each `type` event on (or inside) a bar.
  function onBar(type, handle) {
    document.addEventListener(type, function (event) {
      var seg = barOf(event.target);
      if (seg) {
        handle(seg, event);
      }
    });
  }

  onBar("mouseover", showBarTip);
  onBar("focusin", showBarTip);
  onBar("mouseout", function (seg, event) {
    if (!seg.contains(event.relatedTarget) && seg !== document.activeElement) {
      hideBarTip(seg);
    }
  });
  onBar("focusout", hideBarTip);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      hideBarTip(null);
    }
  });

  function enhance(root) {
    root.querySelectorAll("select[data-typeahead]").forEach(enhanceTypeahead);
    root.querySelectorAll("g.seg[aria-label] > title").forEach(function (title) {
      title.remove();
    });
    if (tipFor && !document.contains(tipFor)) {
      hideBarTip(null); // its bar was swapped out by htmx
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    tickClocks();
    window.setInterval(tickClocks, 20000);
    enhance(document);
  });
  // Content htmx puts on the page (a history restore brings the whole form back).
  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });
})();

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
        el.textContent = get("hour") + ":" + get("minute") + " " + get("weekday");
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

  document.addEventListener("DOMContentLoaded", function () {
    tickClocks();
    window.setInterval(tickClocks, 20000);
  });
})();

// A page section that keeps itself current: an element with data-live-url, data-live-event,
// data-live-key and data-live-id (e.g. an urgent update's page: event "escalation", key
// "update", id 42; a handoff note's: "handoff", "note", 7). When a /ws/events/ message of that
// type about that object arrives, the section is fetched again (the server renders it, times
// in the viewer's zone) and swapped in, keeping what the person is typing in it.
// The socket is the page's one, opened by notifications.js, whose messages arrive here as
// "baton:event" DOM events. It is only a signal: after a reconnect the section is fetched
// once anyway, so a dropped connection loses nothing. No inline script (CSP).
(function () {
  "use strict";

  var root = null;
  var inFlight = false;
  var again = false;

  function refresh() {
    if (inFlight) {
      again = true; // one more fetch after this one: events can arrive back to back
      return;
    }
    inFlight = true;
    fetch(root.dataset.liveUrl, {
      credentials: "same-origin",
      headers: { Accept: "text/html", "X-Requested-With": "fetch" },
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        // Keep what the person is typing (a resolution note, a follow-up) across the swap.
        var typed = {};
        root.querySelectorAll("input[id]:not([type=hidden]), textarea[id]").forEach(function (el) {
          if (el.value) typed[el.id] = el.value;
        });
        var focused = document.activeElement && root.contains(document.activeElement)
          ? document.activeElement.id : "";
        var template = document.createElement("template");
        template.innerHTML = html;
        root.replaceChildren(template.content);
        Object.keys(typed).forEach(function (id) {
          var el = document.getElementById(id);
          if (el && root.contains(el) && !el.value) el.value = typed[id];
        });
        if (focused) {
          var back = document.getElementById(focused);
          if (back) back.focus();
        }
        root.dataset.refreshed = String((parseInt(root.dataset.refreshed, 10) || 0) + 1);
      })
      .catch(function () { /* the next event or reconnect tries again */ })
      .then(function () {
        inFlight = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function socketState(state, reopened) {
    root.dataset.live = state === "open" ? "connected" : "closed";
    // Something may have happened while the socket was down.
    if (reopened) refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.querySelector("[data-live-url][data-live-event][data-live-key]");
    if (!root) return;
    document.addEventListener("baton:socket", function (event) {
      socketState(event.detail.state, event.detail.reopened);
    });
    document.addEventListener("baton:event", function (event) {
      var data = event.detail;
      var about = data && data.type === root.dataset.liveEvent && data[root.dataset.liveKey];
      if (about && String(about.id) === root.dataset.liveId) refresh();
    });
    // The socket may have opened before this script ran.
    if (document.documentElement.dataset.eventsSocket === "open") socketState("open", false);
  });
})();

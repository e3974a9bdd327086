// An urgent update's page, live: when an "escalation" event for this update arrives on
// /ws/events/ (a step fired, someone acknowledged, resolved or cancelled), fetch the page's
// live section again (the server renders it, times in the viewer's zone) and swap it in.
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
        // Keep what the person is typing (a resolution note) across the swap.
        var note = root.querySelector("#resolve-note");
        var typed = note ? note.value : "";
        var focused = document.activeElement && root.contains(document.activeElement)
          ? document.activeElement.id : "";
        var template = document.createElement("template");
        template.innerHTML = html;
        root.replaceChildren(template.content);
        var newNote = root.querySelector("#resolve-note");
        if (newNote && typed) newNote.value = typed;
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
    root = document.querySelector("[data-live-update][data-live-url]");
    if (!root) return;
    document.addEventListener("baton:socket", function (event) {
      socketState(event.detail.state, event.detail.reopened);
    });
    document.addEventListener("baton:event", function (event) {
      var data = event.detail;
      if (data && data.type === "escalation" && data.update &&
          String(data.update.id) === root.dataset.liveUpdate) {
        refresh();
      }
    });
    // The socket may have opened before this script ran.
    if (document.documentElement.dataset.eventsSocket === "open") socketState("open", false);
  });
})();

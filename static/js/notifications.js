// The live bell: listens on /ws/events/, bumps the unread count and prepends new items to the
// inbox. After a reconnect it asks the API for everything newer than the last id it saw, so a
// dropped connection loses nothing (the database is the truth; the socket is only a signal).
//
// It is the page's one socket: other scripts (an urgent update's live timeline, later chat)
// do not open their own. Every message is re-sent as a "baton:event" DOM event on document
// (detail: the parsed message), and each open or close as "baton:socket" (detail: {state:
// "open" or "closed", reopened: true after a drop}); document.documentElement's
// data-events-socket says the state now, for a script that starts after the first open.
// window.BatonSocket.send(frame) sends a frame on it (chat's messages), false when closed.
// While open it pings every minute, which keeps the person shown online (core.presence).
(function () {
  "use strict";

  var bell = null;
  var lastId = 0;
  var retryMs = 1000;

  function countEl() {
    return bell ? bell.querySelector("[data-unread-count]") : null;
  }

  function setCount(n) {
    var el = countEl();
    if (!el) return;
    el.textContent = String(n);
    el.classList.toggle("bell-zero", !n);
  }

  function bumpCount() {
    var el = countEl();
    if (!el) return;
    setCount((parseInt(el.textContent, 10) || 0) + 1);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function prepend(n) {
    var list = document.getElementById("notification-list");
    if (!list || list.dataset.livePrepend !== "1") return;
    if (list.querySelector('[data-notification-id="' + n.id + '"]')) return;
    var empty = document.getElementById("inbox-empty");
    if (empty) empty.remove();
    var item = el("li", "notification card notification-live" +
      (n.read ? "" : " notification-unread") +
      (n.urgency === "urgent" ? " notification-urgent" : ""));
    item.dataset.notificationId = String(n.id);
    var head = el("div", "notification-head");
    if (n.urgency === "urgent") head.appendChild(el("span", "badge badge-left", "Urgent"));
    var link = el("a", "notification-title", n.title);
    link.href = "/notifications/" + n.id + "/open/";
    head.appendChild(link);
    head.appendChild(el("span", "muted small", n.kind_label || n.kind));
    var when = el("time", "muted small nowrap", "just now");
    when.setAttribute("datetime", n.created_at);
    head.appendChild(when);
    item.appendChild(head);
    if (n.body) item.appendChild(el("p", "notification-body", n.body));
    list.insertBefore(item, list.firstChild);
  }

  function receive(n, unreadCount) {
    if (n.id <= lastId) return; // already seen (a push and a catch-up can overlap)
    lastId = n.id;
    prepend(n);
    if (typeof unreadCount === "number") setCount(unreadCount);
    else if (!n.read) bumpCount();
  }

  function catchUp() {
    var api = bell.dataset.api;
    fetch(api + "?after_id=" + encodeURIComponent(lastId), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        (data.results || []).forEach(function (n) { receive(n); });
        return fetch(api + "bell/", { credentials: "same-origin" });
      })
      .then(function (r) { return r && r.ok ? r.json() : null; })
      .then(function (b) { if (b) setCount(b.unread); })
      .catch(function () { /* the next reconnect tries again */ });
  }

  var opened = false;
  var current = null;
  var pinger = null;

  window.BatonSocket = {
    send: function (frame) {
      if (!current || current.readyState !== WebSocket.OPEN) return false;
      current.send(JSON.stringify(frame));
      return true;
    },
  };

  function announce(state) {
    document.documentElement.dataset.eventsSocket = state;
    document.dispatchEvent(new CustomEvent("baton:socket", {
      detail: { state: state, reopened: state === "open" && opened },
    }));
    if (state === "open") opened = true;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/events/");
    current = socket;
    socket.addEventListener("open", function () {
      retryMs = 1000;
      window.clearInterval(pinger);
      pinger = window.setInterval(function () {
        if (socket.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}');
      }, 60000);
      announce("open");
      // Also on the first open: something may have arrived between page render and now.
      catchUp();
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      document.dispatchEvent(new CustomEvent("baton:event", { detail: data }));
      if (data.type === "notification" && data.notification) {
        receive(data.notification, data.unread_count);
      } else if (data.type === "session.ended") {
        window.location.reload();
      }
    });
    socket.addEventListener("close", function (event) {
      window.clearInterval(pinger);
      announce("closed");
      if (event.code === 4001 || event.code === 4401) return; // signed out: do not retry
      // Back off up to 30 s, with jitter so a restart does not bring every tab back at once.
      var wait = retryMs + Math.random() * 500;
      retryMs = Math.min(retryMs * 2, 30000);
      window.setTimeout(connect, wait);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bell = document.getElementById("notification-bell");
    if (!bell || !("WebSocket" in window)) return;
    lastId = parseInt(bell.dataset.latestId, 10) || 0;
    connect();
  });
})();

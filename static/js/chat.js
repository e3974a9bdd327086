// Chat on the page's one socket (/ws/events/, opened by notifications.js; its messages arrive
// as "baton:event" DOM events, frames go out through window.BatonSocket.send).
//
// Everywhere: a new message in a room I am in bumps the "Chat" count in the navigation (and
// the room's count in the sidebar). On a room's page (#chat): messages sent by the composer go
// out as chat.send frames (without the socket, the form posts as usual); the rows themselves
// are always rendered by the server (times in my zone, the author's own beside them) and
// fetched as fragments: ?after=<last seq shown> when an event says something changed, and
// once after every reconnect, so a dropped connection or a lost event loses nothing;
// ?before=<first seq shown> when scrolling back. The room is marked read while I look at it.
// No inline script (CSP): the mention list comes from a JSON <script> element.
(function () {
  "use strict";

  var chat = null;
  var list = null;
  var scroller = null;
  var lastSeq = 0;
  var pending = {};
  var fetching = false;
  var fetchAgain = false;
  var readSent = 0;

  function navCount() { return document.querySelector("[data-chat-unread-count]"); }

  function setCount(el, n) {
    if (!el) return;
    n = Math.max(0, n);
    el.textContent = String(n);
    el.classList.toggle("chat-zero", !n);
  }

  function roomCount(roomId) {
    return document.querySelector('.chat-room-item[data-room-id="' + roomId + '"] [data-room-unread]');
  }

  function addUnread(roomId, delta) {
    var nav = navCount();
    if (nav) setCount(nav, (parseInt(nav.textContent, 10) || 0) + delta);
    var el = roomCount(roomId);
    if (el) {
      setCount(el, (parseInt(el.textContent, 10) || 0) + delta);
      el.closest(".chat-room-item").classList.toggle("has-unread", parseInt(el.textContent, 10) > 0);
    }
  }

  function clearRoom(roomId) {
    var el = roomCount(roomId);
    var n = el ? parseInt(el.textContent, 10) || 0 : 0;
    if (n) addUnread(roomId, -n);
  }

  var viewerId = 0; // from the socket's "hello"

  function me() { return viewerId; }

  // --- the room page ----------------------------------------------------------------------

  function atBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  function toBottom() { scroller.scrollTop = scroller.scrollHeight; }

  function parseFragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content.querySelector(".chat-fragment");
  }

  function fragmentUrl(params) {
    var url = chat.dataset.messagesUrl + "?" + params;
    if (chat.dataset.topic) url += "&topic=" + encodeURIComponent(chat.dataset.topic);
    return url;
  }

  function lastDay() {
    var days = list.querySelectorAll(".chat-day");
    return days.length ? days[days.length - 1].dataset.day : "";
  }

  // Fetch what came after the last message shown, merge it in (an edited or deleted message
  // replaces its row), and mark it read if I am looking.
  function catchUp(fromSeq) {
    if (fetching) { fetchAgain = true; return; }
    fetching = true;
    var stick = atBottom();
    var after = typeof fromSeq === "number" ? Math.min(fromSeq, lastSeq) : lastSeq;
    fetch(fragmentUrl("after=" + after + "&day=" + encodeURIComponent(lastDay())), {
      credentials: "same-origin",
      headers: { Accept: "text/html", "X-Requested-With": "fetch" },
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fragment = parseFragment(html);
        if (!fragment) return;
        var empty = document.getElementById("chat-empty");
        Array.prototype.slice.call(fragment.children).forEach(function (row) {
          if (row.id && document.getElementById(row.id)) {
            document.getElementById(row.id).replaceWith(row);
            return;
          }
          if (row.classList.contains("chat-message")) {
            if (parseInt(row.dataset.seq, 10) <= lastSeq) return;
            if (empty) { empty.remove(); empty = null; }
          }
          list.appendChild(row);
          if (row.classList.contains("chat-message")) addTopic(row);
        });
        var newest = parseInt(fragment.dataset.lastSeq, 10) || 0;
        if (newest > lastSeq) lastSeq = newest;
        chat.dataset.shown = String(lastSeq);
        if (stick) toBottom();
        markRead();
        if (newest && fragment.children.length >= 50) fetchAgain = true; // more behind
      })
      .catch(function () { /* the next event or reconnect tries again */ })
      .then(function () {
        fetching = false;
        if (fetchAgain) { fetchAgain = false; catchUp(); }
      });
  }

  // A message in a topic the side list does not show yet (it began after the page loaded).
  function addTopic(row) {
    var topics = document.getElementById("chat-topic-list");
    var tag = row.querySelector(".chat-topic-tag");
    if (!topics || !tag) return;
    var href = tag.getAttribute("href");
    if (topics.querySelector('a[href="' + href + '"]')) return;
    var li = document.createElement("li");
    li.className = "chat-topic";
    var link = document.createElement("a");
    link.href = href;
    link.textContent = tag.textContent;
    li.appendChild(link);
    topics.insertBefore(li, topics.firstChild);
    var none = document.getElementById("no-topics");
    if (none) none.remove();
  }

  function loadOlder() {
    var link = document.getElementById("chat-older");
    if (!link || link.dataset.loading) return;
    link.dataset.loading = "1";
    var before = link.dataset.before;
    var oldHeight = scroller.scrollHeight;
    fetch(fragmentUrl("before=" + encodeURIComponent(before)), {
      credentials: "same-origin",
      headers: { Accept: "text/html", "X-Requested-With": "fetch" },
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var fragment = html && parseFragment(html);
        if (!fragment) return;
        var first = list.firstChild;
        // The older page's last day heading would repeat the first one shown.
        var shownDay = list.querySelector(".chat-day");
        Array.prototype.slice.call(fragment.children).forEach(function (row) {
          if (row.id && document.getElementById(row.id)) return;
          list.insertBefore(row, first);
        });
        if (shownDay) {
          list.querySelectorAll('.chat-day[data-day="' + shownDay.dataset.day + '"]').forEach(function (d) {
            if (d !== shownDay && d.compareDocumentPosition(shownDay) & Node.DOCUMENT_POSITION_FOLLOWING) {
              shownDay.remove();
              shownDay = d;
            }
          });
        }
        scroller.scrollTop += scroller.scrollHeight - oldHeight;
        var oldest = parseInt(fragment.dataset.firstSeq, 10) || 0;
        if (!oldest || oldest <= 1) link.parentNode.remove();
        else {
          link.dataset.before = String(oldest);
          link.href = fragmentUrl("before=" + oldest);
        }
      })
      .catch(function () {})
      .then(function () { if (link) delete link.dataset.loading; });
  }

  function markRead() {
    if (document.visibilityState !== "visible" || !atBottom()) return;
    if (lastSeq <= readSent || lastSeq <= (parseInt(chat.dataset.read, 10) || 0)) {
      clearRoom(chat.dataset.room);
      return;
    }
    readSent = lastSeq;
    var room = parseInt(chat.dataset.room, 10);
    var sent = window.BatonSocket && window.BatonSocket.send({ type: "chat.read", room: room, seq: lastSeq });
    if (!sent) {
      var token = chat.querySelector("input[name=csrfmiddlewaretoken]");
      var body = new URLSearchParams({ seq: String(lastSeq) });
      fetch(chat.dataset.readUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
        body: body,
      }).catch(function () {});
    }
    chat.dataset.read = String(lastSeq);
    clearRoom(chat.dataset.room);
    document.querySelectorAll(".chat-topic .chat-unread").forEach(function (badge) { badge.remove(); });
    var mark = document.getElementById("chat-mark-read");
    if (mark) mark.remove();
  }

  // --- the composer -----------------------------------------------------------------------

  var form = null;
  var body = null;
  var errorBox = null;
  var counter = 0;

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function submit(event) {
    var later = form.querySelector("#id_later");
    if (later && later.checked) return; // held messages go through the form (server answers)
    var text = body.value.trim();
    if (!text) {
      event.preventDefault();
      showError("Write something: an empty message says nothing.");
      return;
    }
    counter += 1;
    var clientId = "c" + Date.now().toString(36) + counter;
    var frame = {
      type: "chat.send",
      room: parseInt(chat.dataset.room, 10),
      body: text,
      topic: form.querySelector("#id_topic").value,
      urgent: form.querySelector("#id_urgent").checked,
      client_id: clientId,
    };
    if (!window.BatonSocket || !window.BatonSocket.send(frame)) return; // no socket: post the form
    event.preventDefault();
    pending[clientId] = text;
    form.querySelector("#chat-send").disabled = true;
    showError("");
  }

  function sentOrRefused(data) {
    if (!(data.client_id in pending)) return;
    delete pending[data.client_id];
    form.querySelector("#chat-send").disabled = false;
    if (data.type === "chat.sent") {
      body.value = "";
      form.querySelector("#id_urgent").checked = false;
      body.focus();
      catchUp();
    } else {
      var errors = data.errors || {};
      var lines = [];
      Object.keys(errors).forEach(function (k) { lines = lines.concat(errors[k]); });
      showError(lines.join(" ") || "The message was not sent.");
    }
  }

  // --- mention completion -----------------------------------------------------------------

  var suggest = null;
  var choices = [];
  var selected = -1;

  function mentionables() {
    var node = document.getElementById("chat-mentionable");
    var data = {};
    try { data = JSON.parse(node.textContent); } catch (e) { data = {}; }
    var out = [];
    if (data.oncall) out.push({ token: "oncall", label: "@oncall — whoever is on call now" });
    (data.people || []).forEach(function (p) { out.push({ token: p.token, label: p.name + " @" + p.token }); });
    (data.teams || []).forEach(function (t) { out.push({ token: t.token, label: t.name + " (team) @" + t.token }); });
    return out;
  }

  function currentWord() {
    var upto = body.value.slice(0, body.selectionStart);
    var match = /(^|\s)@([\w.\-:]*)$/.exec(upto);
    return match ? { start: upto.length - match[2].length, text: match[2].toLowerCase() } : null;
  }

  function closeSuggest() {
    suggest.hidden = true;
    suggest.replaceChildren();
    body.removeAttribute("aria-activedescendant");
    choices = [];
    selected = -1;
  }

  function highlight(i) {
    selected = i;
    Array.prototype.forEach.call(suggest.children, function (li, n) {
      li.setAttribute("aria-selected", n === i ? "true" : "false");
    });
    if (suggest.children[i]) body.setAttribute("aria-activedescendant", suggest.children[i].id);
  }

  function pick(i) {
    var word = currentWord();
    var choice = choices[i];
    if (!word || !choice) return closeSuggest();
    var before = body.value.slice(0, word.start);
    var after = body.value.slice(body.selectionStart);
    body.value = before + choice.token + " " + after;
    var at = before.length + choice.token.length + 1;
    body.setSelectionRange(at, at);
    closeSuggest();
    body.focus();
  }

  function updateSuggest(all) {
    var word = currentWord();
    if (!word) return closeSuggest();
    choices = all.filter(function (c) {
      return c.token.toLowerCase().indexOf(word.text) === 0 || c.label.toLowerCase().indexOf(word.text) !== -1;
    }).slice(0, 8);
    if (!choices.length) return closeSuggest();
    suggest.replaceChildren();
    choices.forEach(function (c, n) {
      var li = document.createElement("li");
      li.id = "mention-option-" + n;
      li.setAttribute("role", "option");
      li.textContent = c.label;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(n); });
      suggest.appendChild(li);
    });
    suggest.hidden = false;
    highlight(0);
  }

  // --- wiring -----------------------------------------------------------------------------

  function onEvent(data) {
    if (data && data.type === "hello") viewerId = data.user;
    if (!data || typeof data.type !== "string" || data.type.indexOf("chat.") !== 0) return;
    var here = chat && String(data.room) === chat.dataset.room;
    if (data.type === "chat.message") {
      var mine = data.author && data.author.id === me();
      if (here) {
        catchUp(data.event === "new" ? undefined : data.seq - 1);
      } else if (data.event === "new" && !mine) {
        addUnread(data.room, 1);
      }
    } else if (data.type === "chat.read") {
      if (!data.topic) clearRoom(data.room);
    } else if (data.type === "chat.sent" || data.type === "chat.error") {
      if (chat && data.client_id) sentOrRefused(data);
    } else if (data.type === "chat.topic" && here) {
      var notice = document.getElementById("chat-error");
      if (notice) {
        notice.hidden = false;
        notice.textContent = "Topics in this room changed. ";
        var reload = document.createElement("a");
        reload.href = window.location.pathname;
        reload.textContent = "Reload";
        notice.appendChild(reload);
      }
    }
  }

  function socketState(state, reopened) {
    var live = document.getElementById("chat-live");
    if (live) {
      live.dataset.state = state;
      live.textContent = state === "open" ? "live" : "reconnecting…";
    }
    if (chat && state === "open" && reopened) catchUp();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("baton:event", function (e) { onEvent(e.detail); });
    document.addEventListener("baton:socket", function (e) {
      socketState(e.detail.state, e.detail.reopened);
    });
    chat = document.getElementById("chat");
    if (!chat) return;
    list = document.getElementById("chat-messages");
    scroller = document.getElementById("chat-scroll");
    var rows = list.querySelectorAll(".chat-message");
    lastSeq = rows.length ? parseInt(rows[rows.length - 1].dataset.seq, 10) : 0;
    // Open at the message a link names, else at the first unread, else at the newest.
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var unreadLine = document.getElementById("chat-unread-line");
    if (target) target.scrollIntoView({ block: "center" });
    else if (unreadLine) scroller.scrollTop = unreadLine.offsetTop - scroller.offsetTop - 40;
    else toBottom();

    form = document.getElementById("chat-compose");
    body = document.getElementById("id_body");
    errorBox = document.getElementById("chat-error");
    suggest = document.getElementById("mention-suggest");
    var all = mentionables();
    form.addEventListener("submit", submit);
    body.addEventListener("input", function () { updateSuggest(all); });
    body.addEventListener("blur", function () { window.setTimeout(closeSuggest, 150); });
    body.addEventListener("keydown", function (e) {
      if (!suggest.hidden && choices.length) {
        if (e.key === "ArrowDown") { e.preventDefault(); highlight((selected + 1) % choices.length); return; }
        if (e.key === "ArrowUp") { e.preventDefault(); highlight((selected - 1 + choices.length) % choices.length); return; }
        if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); pick(selected); return; }
        if (e.key === "Escape") { closeSuggest(); return; }
      }
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });

    var older = document.getElementById("chat-older");
    if (older) {
      older.addEventListener("click", function (e) { e.preventDefault(); loadOlder(); });
      if ("IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          if (entries.some(function (x) { return x.isIntersecting; })) loadOlder();
        }, { root: scroller, rootMargin: "200px 0px 0px 0px" }).observe(older);
      }
    }
    scroller.addEventListener("scroll", function () { if (atBottom()) markRead(); });
    document.addEventListener("visibilitychange", markRead);
    if (document.documentElement.dataset.eventsSocket === "open") socketState("open", false);
    markRead();
  });
})();

/* The ownership map's graph (templates/projects/map.html): org -> teams -> owners -> projects,
   drawn by Apache ECharts (static/vendor/echarts, pinned) from /api/v1/ownership-map/ with the
   page's filters.

   Why ECharts: one kept, Apache-licensed file (no build step, no CDN) that lays out and draws
   hierarchies of thousands of nodes on a canvas, with zoom, pan, drill-down, tooltips and
   patterns (decals) built in. Its treemap ("Boxes") shows every one of 3,000 projects at once,
   nested by team and owner; its tree ("Tree") is the org chart to unfold team by team. We write
   no layout code: the data goes in as a nested list, the library places it.

   No inline script or style (the CSP forbids them): the API address and the viewer's zone come
   in data- attributes, tooltips and the detail panel are built from escaped text, and the
   chart's own sizing is done by ECharts through the CSSOM, which the CSP allows. */
(function () {
  "use strict";

  var root = document.getElementById("ownership-map");
  if (!root) return;
  var status = document.getElementById("map-status");
  var detail = document.getElementById("map-detail");

  var COLOURS = {
    on_track: "#1d8a4e",
    at_risk: "#d08c00",
    off_track: "#c0392b",
    "": "#9aa3b2"
  };
  var HEALTH = { on_track: "On track", at_risk: "At risk", off_track: "Off track", "": "No update yet" };
  var ORPHAN_BORDER = "#111827";
  var STALE_DECAL = {
    symbol: "rect",
    symbolSize: 1,
    dashArrayX: [1, 0],
    dashArrayY: [3, 4],
    rotation: -Math.PI / 4,
    color: "rgba(255, 255, 255, 0.55)"
  };

  function say(text) {
    if (status) {
      status.textContent = text;
      status.hidden = !text;
    }
  }

  if (!window.echarts) {
    root.dataset.state = "error";
    say("The graph could not start (its script did not load). The table has the same projects.");
    return;
  }

  function esc(text) {
    return String(text == null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  var zone = root.dataset.zone || "UTC";
  var hour12 = root.dataset.hour12 === "1";
  var stampFormat;
  try {
    stampFormat = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "short", day: "2-digit", month: "short",
      hour: "2-digit", minute: "2-digit", hour12: hour12
    });
  } catch (e) {
    stampFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });
  }
  function stamp(iso) {
    return iso ? stampFormat.format(new Date(iso)) : "never";
  }

  function personUrl(id) {
    return root.dataset.personUrl.replace("987654321", String(id));
  }
  function projectUrl(slug) {
    return root.dataset.projectUrl.replace("SLUG", encodeURIComponent(slug));
  }

  // --- the hierarchy ---------------------------------------------------------------------------

  // A team's or an owner's colour: off track when at least a quarter of its projects are,
  // else at risk when at least a quarter are at risk or off track, else on track when most
  // are, else grey. (The worst of all would paint every big team red.)
  function overall(counts, total) {
    if (counts.off_track * 4 >= total) return "off_track";
    if ((counts.off_track + counts.at_risk) * 4 >= total) return "at_risk";
    if (counts.on_track * 2 > total) return "on_track";
    return "";
  }

  function tally(node, health) {
    node.healths = node.healths || { on_track: 0, at_risk: 0, off_track: 0, "": 0 };
    node.healths[health] = (node.healths[health] || 0) + 1;
  }

  function build(data) {
    var people = {};
    data.people.forEach(function (p) { people[p.id] = p; });
    var overloaded = {};
    data.findings.overloaded_owners.forEach(function (o) { overloaded[o.person] = o.critical_projects; });
    var apart = {};
    data.findings.no_hour_apart.forEach(function (id) { apart[id] = true; });
    var teamsById = {};
    var teams = data.teams.map(function (t) {
      var node = { name: t.name, kind: "team", teamId: t.id, children: [], owners: {}, health: "", count: 0, orphaned: 0 };
      teamsById[t.id] = node;
      return node;
    });
    data.projects.forEach(function (p) {
      var team = teamsById[p.team];
      if (!team) return;
      var owner = team.owners[p.owner];
      if (!owner) {
        var person = people[p.owner] || { display_name: "Unknown", active: false };
        var label = person.display_name + (person.active ? "" : " (left)") +
          (overloaded[p.owner] ? " ⚑" : "");
        owner = team.owners[p.owner] = {
          name: label, kind: "owner", personId: p.owner, children: [], health: "", count: 0, orphaned: 0
        };
        team.children.push(owner);
      }
      var marks = [];
      if (p.orphaned) marks.push("orphaned");
      if (p.stale) marks.push("stale");
      var style = { color: COLOURS[p.health] || COLOURS[""] };
      if (p.orphaned) {
        style.borderColor = ORPHAN_BORDER;
        style.borderWidth = 3;
      }
      if (p.stale) style.decal = STALE_DECAL;
      owner.children.push({
        name: p.name + (marks.length ? " (" + marks.join(", ") + ")" : ""),
        value: 1,
        kind: "project",
        project: p,
        apart: !!apart[p.id],
        itemStyle: style,
        symbol: p.orphaned ? "triangle" : (p.stale ? "diamond" : "circle"),
        symbolSize: p.orphaned ? 13 : 9
      });
      owner.count += 1;
      team.count += 1;
      tally(owner, p.health);
      tally(team, p.health);
      if (p.orphaned) { owner.orphaned += 1; team.orphaned += 1; }
    });
    teams = teams.filter(function (t) { return t.count; });
    teams.forEach(function (team) {
      delete team.owners;
      team.value = team.count;
      team.health = overall(team.healths, team.count);
      team.itemStyle = { color: COLOURS[team.health] };
      team.children.forEach(function (owner) {
        owner.value = owner.count;
        owner.health = overall(owner.healths, owner.count);
        owner.itemStyle = { color: COLOURS[owner.health] };
      });
    });
    return { teams: teams, people: people, overloaded: overloaded, data: data };
  }

  // --- tooltips and the detail panel --------------------------------------------------------------

  function tooltip(params) {
    var d = params.data || {};
    if (d.kind === "project") {
      var p = d.project;
      var lines = ["<strong>" + esc(p.name) + "</strong>", esc(HEALTH[p.health] || HEALTH[""]) + (p.critical ? " · critical" : "")];
      if (p.orphaned) lines.push("Orphaned: nobody active answers for it");
      if (p.stale) lines.push("Stale: no recent status update");
      if (d.apart) lines.push("Owner and backup have no working hour apart");
      lines.push("Last update: " + esc(stamp(p.last_update_at)));
      return lines.join("<br>");
    }
    if (d.kind === "owner" || d.kind === "team") {
      var h = d.healths || {};
      var text = "<strong>" + esc(d.name) + "</strong><br>" + d.count + " project" + (d.count === 1 ? "" : "s") +
        ": " + (h.on_track || 0) + " on track, " + (h.at_risk || 0) + " at risk, " + (h.off_track || 0) +
        " off track, " + (h[""] || 0) + " no update";
      if (d.orphaned) text += " · " + d.orphaned + " orphaned";
      if (d.kind === "owner" && state.tree.overloaded[d.personId]) {
        text += "<br>Owns " + state.tree.overloaded[d.personId] + " open critical projects (overloaded)";
      }
      return text;
    }
    return "<strong>" + esc(d.name || params.name) + "</strong>";
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function row(dl, label, value) {
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function personNode(id) {
    var person = state.tree.people[id];
    if (!person) return document.createTextNode("—");
    var span = document.createElement("span");
    span.appendChild(link(personUrl(id), person.display_name));
    span.appendChild(document.createTextNode(
      " (" + (person.country || "?") + ", " + person.time_zone + (person.active ? "" : ", left") + ")"));
    return span;
  }

  function showDetail(d) {
    if (!detail || !d || d.kind !== "project") return;
    var p = d.project;
    detail.textContent = "";
    var h = document.createElement("h2");
    h.appendChild(link(projectUrl(p.slug), p.name));
    detail.appendChild(h);
    var dl = document.createElement("dl");
    dl.className = "facts";
    var team = state.tree.data.teams.filter(function (t) { return t.id === p.team; })[0];
    row(dl, "Team", team ? team.name : "—");
    row(dl, "Health", (HEALTH[p.health] || HEALTH[""]) + (p.critical ? " · critical" : ""));
    row(dl, "Owner", personNode(p.owner));
    if (p.acting_owner) row(dl, "Acting owner", personNode(p.acting_owner));
    row(dl, "Backup", p.backup_owner ? personNode(p.backup_owner) : "none");
    var flags = [];
    if (p.orphaned) flags.push("orphaned");
    if (p.stale) flags.push("stale");
    if (d.apart) flags.push("owner and backup have no working hour apart");
    if (flags.length) row(dl, "Needs attention", flags.join("; "));
    row(dl, "Last update", stamp(p.last_update_at));
    detail.appendChild(dl);
    detail.hidden = false;
  }

  // --- the chart ----------------------------------------------------------------------------------

  var state = { layout: "treemap", tree: null };
  var chart = null;

  // Teams and owners are named on their boxes; a project's box is too small for a name at
  // 3,000 (and 3,000 labels were most of the drawing time): its tooltip and the panel below
  // the chart name it, and zooming into a team makes every box bigger.
  function treemapLevels() {
    return [
      { itemStyle: { borderWidth: 0, gapWidth: 2 }, upperLabel: { show: false } }, // the org
      { itemStyle: { borderColor: "#c5cbd5", borderWidth: 3, gapWidth: 3, color: "#eef0f4" }, upperLabel: { show: true } },
      { itemStyle: { borderColor: "#dfe3ea", borderWidth: 2, gapWidth: 1, color: "#f6f7f9" }, upperLabel: { show: true, height: 15, fontSize: 10 } },
      { itemStyle: { borderColor: "#ffffff", borderWidth: 1, gapWidth: 0 }, label: { show: false } }
    ];
  }

  function treemapOption(tree) {
    return {
      // No animation: drawing 3,000 boxes once is the cost; zooming is instant.
      animation: false,
      tooltip: { formatter: tooltip, confine: true },
      series: [{
        type: "treemap",
        name: tree.data.scope === "org" ? "Org" : "My teams",
        data: tree.teams,
        top: 28, left: 0, right: 0, bottom: 0,
        roam: true,
        nodeClick: "zoomToNode",
        leafDepth: null,
        visibleMin: 4,
        breadcrumb: { show: true, top: 0, left: 0, height: 22, emptyItemWidth: 20 },
        label: { show: true, overflow: "truncate", fontSize: 11, color: "#fff" },
        upperLabel: { show: true, height: 18, color: "#1d2430", fontSize: 11, overflow: "truncate" },
        itemStyle: { borderColor: "#fff", gapWidth: 1 },
        levels: treemapLevels()
      }]
    };
  }

  function treeOption(tree) {
    var projects = tree.data.projects.length;
    var depth = projects <= 120 ? 3 : (tree.teams.length <= 3 ? 2 : 1);
    return {
      animationDurationUpdate: 350,
      tooltip: { formatter: tooltip, confine: true },
      series: [{
        type: "tree",
        data: [{
          name: tree.data.scope === "org" ? "Org" : "My teams",
          kind: "org",
          children: tree.teams,
          itemStyle: { color: "#2f5bd3" }
        }],
        layout: "radial",
        roam: true,
        initialTreeDepth: depth,
        expandAndCollapse: true,
        symbolSize: 8,
        top: "8%", bottom: "8%", left: "8%", right: "8%",
        label: { fontSize: 10, color: "#1d2430" },
        lineStyle: { color: "#c5cbd5", width: 1, curveness: 0.4 },
        emphasis: { focus: "descendant" }
      }]
    };
  }

  function draw() {
    if (!state.tree) return;
    var option = state.layout === "tree" ? treeOption(state.tree) : treemapOption(state.tree);
    chart.setOption(option, { notMerge: true });
    document.querySelectorAll("[data-layout]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.layout === state.layout));
    });
    var hint = document.getElementById("map-hint");
    if (hint) {
      hint.textContent = state.layout === "tree"
        ? "Tree: click a team to unfold its owners, an owner to unfold their projects; scroll or pinch to zoom, drag to move."
        : "Boxes: a project is a box in its owner's box in its team's. Point at or tap a box for its name; click a team to zoom in; the bar above the boxes zooms out.";
    }
  }

  function ready() {
    if (root.dataset.state === "ready") return;
    root.dataset.state = "ready";
    mark("ownership-map-ready");
  }

  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }

  function start(data) {
    mark("ownership-map-data");
    // The API sends the projects as rows named by project_columns (a third of the bytes).
    var columns = data.project_columns;
    data.projects = data.projects.map(function (row) {
      var project = {};
      for (var i = 0; i < columns.length; i++) project[columns[i]] = row[i];
      return project;
    });
    state.tree = build(data);
    mark("ownership-map-built");
    root.dataset.count = String(data.projects.length);
    if (!data.projects.length) {
      root.dataset.state = "ready";
      say("No open project matches these filters.");
      return;
    }
    say("");
    chart = window.echarts.init(root, null, { renderer: "canvas" });
    // Interactive once the first frame is drawn (not after any animation).
    chart.on("rendered", ready);
    chart.on("click", function (params) { showDetail(params.data); });
    draw();
    if (window.ResizeObserver) {
      // Only on a real change of size: the observer also reports the size it starts with,
      // and a resize lays the whole chart out again.
      var size = root.clientWidth + "x" + root.clientHeight;
      new ResizeObserver(function () {
        var now = root.clientWidth + "x" + root.clientHeight;
        if (now !== size) {
          size = now;
          chart.resize();
        }
      }).observe(root);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  document.querySelectorAll("[data-layout]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.layout = button.dataset.layout;
      draw();
    });
  });
  var reset = document.getElementById("map-reset");
  if (reset) reset.addEventListener("click", draw);

  fetch(root.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(start)
    .catch(function (error) {
      root.dataset.state = "error";
      say("The map could not be loaded (" + error.message + "). The table has the same projects.");
    });
})();

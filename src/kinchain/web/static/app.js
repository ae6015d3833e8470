/* kinchain pages: progress polling, live intake skip logic, Plotly charts. No framework. */
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function plotCurves(el, sets) {
    // sets: [{curves, dash, name}]
    var base = sets[0].curves;
    if (!base || !window.Plotly) { return; }
    base.panels.forEach(function (panel, i) {
      var div = document.createElement("div");
      div.className = "plot";
      div.id = "plot-" + panel.id;
      el.appendChild(div);
      var x = base.x_pct, traces = [];
      if (panel.norm_mean) {
        var lo = panel.norm_mean.map(function (m, k) { return m === null || panel.norm_sd[k] === null ? null : m - panel.norm_sd[k]; });
        var hi = panel.norm_mean.map(function (m, k) { return m === null || panel.norm_sd[k] === null ? null : m + panel.norm_sd[k]; });
        traces.push({x: x, y: lo, mode: "lines", line: {width: 0}, hoverinfo: "skip", showlegend: false});
        traces.push({x: x, y: hi, mode: "lines", line: {width: 0}, fill: "tonexty",
          fillcolor: "rgba(150,150,150,0.3)", name: "normal ±1 SD", hoverinfo: "skip", showlegend: false});
      }
      sets.forEach(function (s) {
        var p = s.curves && s.curves.panels.find(function (q) { return q.id === panel.id; });
        if (!p) { return; }
        [["left", "#c62828"], ["right", "#2ca02c"]].forEach(function (sc) {
          if (p[sc[0]]) {
            traces.push({x: x, y: p[sc[0]], mode: "lines", name: s.name + sc[0],
              line: {color: sc[1], width: 1.8, dash: s.dash}, showlegend: false});
          }
        });
      });
      Plotly.newPlot(div, traces, {
        title: {text: panel.title, font: {size: 12}}, margin: {l: 44, r: 8, t: 28, b: 34},
        xaxis: {range: [0, 100], title: {text: "% gait cycle", font: {size: 10}}},
        yaxis: {title: {text: panel.unit, font: {size: 10}}},
        showlegend: false
      }, {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"]});
    });
  }
  function visitPage() {
    var prog = document.getElementById("progress");
    if (prog) {
      var id = prog.getAttribute("data-visit");
      // The page reloads itself when the analysis ends, unless the user is already leaving it
      // (a link clicked meanwhile must not be undone by the reload).
      var leaving = false;
      window.addEventListener("beforeunload", function () { leaving = true; });
      var poll = function () {
        if (leaving) { return; }
        fetch("/api/v1/visits/" + id + "/status", {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (s) {
            var bar = prog.querySelector("progress");
            bar.value = s.progress;
            document.getElementById("stage").textContent = s.stage;
            if (leaving) { return; }
            if (s.status === "done" || s.status === "failed") { window.location.reload(); }
            else { setTimeout(poll, 700); }
          })
          .catch(function () { setTimeout(poll, 2000); });
      };
      setTimeout(poll, 500);
    }
    var data = document.getElementById("curves-data");
    if (data) {
      plotCurves(document.getElementById("curves"), [{curves: JSON.parse(data.textContent), dash: "solid", name: ""}]);
    }
    var frame = document.getElementById("report-frame");
    if (frame) {
      frame.addEventListener("load", function () {
        try { frame.style.height = (frame.contentDocument.documentElement.scrollHeight + 20) + "px"; } catch (e) { /* keep default */ }
      });
    }
  }
  function comparePage() {
    var c = JSON.parse(document.getElementById("compare-data").textContent);
    plotCurves(document.getElementById("curves"), [
      {curves: c.a, dash: "dash", name: "A "}, {curves: c.b, dash: "solid", name: "B "}]);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function option(value, text) { return el("option", {value: value}, text); }
  function questionNode(q) {
    // A question the assessment added (same markup as the page's macro; no internal names shown).
    var div = el("div", {"class": "q", "data-path": q.path, "data-kind": q.kind});
    div.appendChild(el("label", {"class": "qlabel", "for": "f-" + q.path}, q.text));
    var field;
    if (q.kind === "answer") {
      field = el("select", {id: "f-" + q.path, name: q.path});
      field.appendChild(option("", q.labels ? "don't know" : "unknown"));
      field.appendChild(option("yes", "yes"));
      field.appendChild(option("no", "no"));
    } else if (q.kind === "choice") {
      field = el("select", {id: "f-" + q.path, name: q.path});
      field.appendChild(option("", q.labels ? "choose" : "—"));
      q.choices.forEach(function (c) {
        field.appendChild(option(c, q.labels && q.labels[c] ? q.labels[c] : c.replace(/_/g, " ")));
      });
    } else {
      field = el("input", {id: "f-" + q.path, name: q.path, inputmode: "decimal", size: "8"});
    }
    div.appendChild(field);
    div.appendChild(el("span", {"class": "field-error", "data-error-for": q.path}, ""));
    return div;
  }
  function intakeForm() {
    var form = document.getElementById("intake-form");
    if (!form) { return; }
    var url = form.getAttribute("data-state-url");
    var changes = document.getElementById("changes");
    var list = document.getElementById("changes-list");
    var timer = null;
    function answers() {
      var out = {};
      form.querySelectorAll(".q").forEach(function (q) {
        var path = q.getAttribute("data-path");
        var boxes = q.querySelectorAll('input[type="checkbox"]');
        if (boxes.length) {
          var v = [];
          boxes.forEach(function (b) { if (b.checked) { v.push(b.value); } });
          if (v.length) { out[path] = v; }
        } else if (q.getAttribute("data-kind") === "duration") {
          var n = q.querySelector("input"), u = q.querySelector("select");
          if (n && n.value.trim() !== "") { out[path] = n.value.trim() + " " + u.value; }
        } else {
          var f = q.querySelector("select, input");
          if (f && f.value.trim() !== "") { out[path] = f.value.trim(); }
        }
      });
      return out;
    }
    function placeChanges(paths, extra) {
      // The added questions go first, in order; those no longer added go back (or away).
      var wanted = {}, byPath = {};
      paths.forEach(function (p) { wanted[p] = true; });
      (extra || []).forEach(function (q) { byPath[q.path] = q; });
      list.querySelectorAll(".q").forEach(function (q) {
        var path = q.getAttribute("data-path");
        if (wanted[path]) { return; }
        var home = form.querySelector('[data-home-for="' + path + '"]');
        if (home) { home.replaceWith(q); } else { q.remove(); }
      });
      paths.forEach(function (path) {
        var q = form.querySelector('.q[data-path="' + path + '"]');
        if (q && q.parentNode !== list) {
          q.parentNode.insertBefore(el("div", {"class": "q-home", "data-home-for": path, hidden: ""}), q);
        }
        if (!q && byPath[path]) { q = questionNode(byPath[path]); }
        if (q) { list.appendChild(q); }
      });
      changes.hidden = paths.length === 0;
    }
    function progress() {
      // The patient's link: how many of the questions shown now have an answer.
      var text = document.getElementById("progress-text");
      var bar = document.getElementById("progress-bar");
      if (!text || !bar) { return; }
      var given = answers(), shown = 0, done = 0;
      form.querySelectorAll(".q").forEach(function (q) {
        if (q.hidden) { return; }
        shown += 1;
        if (given[q.getAttribute("data-path")] !== undefined) { done += 1; }
      });
      text.textContent = done + " of " + shown + " questions answered";
      bar.max = Math.max(shown, 1);
      bar.value = done;
    }
    function refresh() {
      var headers = {"Content-Type": "application/json"};
      var token = csrf();
      if (token) { headers["X-CSRF-Token"] = token; }
      fetch(url, {method: "POST", credentials: "same-origin", headers: headers,
                  body: JSON.stringify({answers: answers()})})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (!s.visible) { return; }
          placeChanges(s.changes || [], s.extra || []);
          var visible = {};
          s.visible.forEach(function (p) { visible[p] = true; });
          var given = answers();
          form.querySelectorAll(".q").forEach(function (q) {
            var path = q.getAttribute("data-path");
            // The clinician's examination items are always shown: the form state lists only
            // the questions the terminal asks.
            q.hidden = !visible[path] && path.indexOf("exam.") !== 0;
            var err = q.querySelector("[data-error-for]");
            var touched = given[path] !== undefined || path === "pain.sites" && form.dataset.touched;
            err.textContent = (s.errors[path] && touched) ? s.errors[path] : "";
          });
          document.getElementById("emergency").hidden = !s.emergency;
          form.querySelectorAll("section.group").forEach(function (g) {
            g.hidden = !g.querySelector(".q:not([hidden])");
          });
          progress();
          form.setAttribute("data-state-ready", "1");
        });
    }
    form.addEventListener("change", function () {
      form.dataset.touched = "1";
      progress();
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    });
  }
  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var field = document.getElementById(b.getAttribute("data-copy"));
        var done = document.getElementById("copy-done");
        if (!field) { return; }
        var shown = function () { if (done) { done.hidden = false; } };
        field.focus();
        field.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        if (copied) { shown(); return; }
        if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(shown); }
      });
    });
  }
  window.kinchain = {visitPage: visitPage, comparePage: comparePage, intakeForm: intakeForm};
  // Each page names itself in <body data-page="...">: no inline script (the CSP allows none).
  var pages = {visit: visitPage, compare: comparePage, intake: intakeForm};
  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    var run = pages[document.body.getAttribute("data-page") || ""];
    if (run) { run(); }
  });
})();

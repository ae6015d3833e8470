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
      var poll = function () {
        fetch("/api/v1/visits/" + id + "/status", {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (s) {
            var bar = prog.querySelector("progress");
            bar.value = s.progress;
            document.getElementById("stage").textContent = s.stage;
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
  function intakeForm() {
    var form = document.getElementById("intake-form");
    if (!form) { return; }
    var url = form.getAttribute("data-state-url");
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
        } else {
          var f = q.querySelector("select, input");
          if (f && f.value.trim() !== "") { out[path] = f.value.trim(); }
        }
      });
      return out;
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
          var visible = {};
          s.visible.forEach(function (p) { visible[p] = true; });
          form.querySelectorAll(".q").forEach(function (q) {
            var path = q.getAttribute("data-path");
            q.hidden = !visible[path];
            var err = q.querySelector("[data-error-for]");
            var touched = answers()[path] !== undefined || path === "pain.sites" && form.dataset.touched;
            err.textContent = (s.errors[path] && touched) ? s.errors[path] : "";
          });
          document.getElementById("emergency").hidden = !s.emergency;
          form.setAttribute("data-state-ready", "1");
        });
    }
    form.addEventListener("change", function () {
      form.dataset.touched = "1";
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    });
  }
  window.kinchain = {visitPage: visitPage, comparePage: comparePage, intakeForm: intakeForm};
})();

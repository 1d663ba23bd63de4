/* Scenario charts (ECharts): P10-P90 bands, wedges, peak-year histogram, tornado, forecast vintages. Values arrive in t / tce and are
   shown in 10^4 t (万t). */
(function () {
  "use strict";
  var COLORS = ["#1b7f5b", "#c0392b", "#2c6fbb", "#8e44ad", "#d68910", "#16a085", "#7f8c8d", "#34495e"];
  function wan(xs) { return xs.map(function (x) { return x / 1e4; }); }
  function init(el) {
    if (!el || !window.echarts) { return null; }
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    return echarts.init(el);
  }

  function bands(el, series, unit) {
    var chart = init(el);
    if (!chart || !series.length) { return; }
    var out = [], legend = [];
    series.forEach(function (s, i) {
      var c = COLORS[i % COLORS.length], stack = "band" + i;
      var lo = wan(s.band.p10), hi = wan(s.band.p90);
      out.push({ name: s.name + " P10", type: "line", stack: stack, data: lo, symbol: "none",
                 lineStyle: { opacity: 0 }, tooltip: { show: false } });
      out.push({ name: s.name + " P10–P90", type: "line", stack: stack, symbol: "none", lineStyle: { opacity: 0 },
                 areaStyle: { color: c, opacity: 0.18 }, data: hi.map(function (h, k) { return h - lo[k]; }),
                 tooltip: { show: false } });
      out.push({ name: s.name, type: "line", data: wan(s.band.p50), symbol: "circle", symbolSize: 4,
                 lineStyle: { color: c, width: 2 }, itemStyle: { color: c } });
      legend.push(s.name);
    });
    chart.setOption({
      color: COLORS, tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toFixed(1); } },
      legend: { data: legend }, grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: series[0].years }, yAxis: { type: "value", name: unit, scale: true },
      series: out
    });
  }

  function wedges(el, w, scenarioName, unit, referenceName) {
    var chart = init(el);
    if (!chart || !w.order.length) { return; }
    var out = [{ name: scenarioName, type: "line", stack: "w", symbol: "none", areaStyle: { opacity: 0.5 },
                 lineStyle: { width: 2 }, data: wan(w.scenario_co2) }];
    w.order.forEach(function (k) {
      out.push({ name: w.labels[k] || k, type: "line", stack: "w", symbol: "none", areaStyle: { opacity: 0.7 },
                 lineStyle: { width: 0 }, data: wan(w.wedges[k]) });
    });
    out.push({ name: referenceName || "no measures", type: "line", symbol: "none", lineStyle: { type: "dashed", color: "#555" },
               data: wan(w.reference_co2), z: 5 });
    chart.setOption({
      color: ["#bdc3c7"].concat(COLORS), tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toFixed(1); } },
      legend: { type: "scroll" }, grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: w.years }, yAxis: { type: "value", name: unit, scale: true }, series: out
    });
  }

  function histogram(el, h, notPeakedLabel) {
    var chart = init(el);
    if (!chart) { return; }
    var cats = h.years.map(String).concat([notPeakedLabel]);
    var data = h.counts.concat([h.not_peaked]);
    chart.setOption({
      tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: cats }, yAxis: { type: "value" },
      series: [{ type: "bar", data: data.map(function (v, i) {
        return { value: v, itemStyle: { color: i === data.length - 1 ? "#95a5a6" : (+cats[i] <= 2030 ? "#1b7f5b" : "#d68910") } };
      }) }]
    });
  }

  function vintages(el, list, unit) {
    var chart = init(el);
    if (!chart || !list.length) { return; }
    var years = list[list.length - 1].years.slice();
    list.forEach(function (v) { v.years.forEach(function (y) { if (years.indexOf(y) < 0) { years.push(y); } }); });
    years.sort();
    var out = list.map(function (v, i) {
      var byYear = {};
      v.years.forEach(function (y, k) { byYear[y] = v.p50[k] / 1e4; });
      return { name: String(v.base_year), type: "line", symbol: "none", lineStyle: { width: i === list.length - 1 ? 3 : 1.5 },
               data: years.map(function (y) { return y in byYear ? byYear[y] : null; }),
               markLine: { silent: true, symbol: "none", data: [{ xAxis: String(v.base_year) }], lineStyle: { type: "dotted" } } };
    });
    chart.setOption({
      color: COLORS, tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "" : v.toFixed(1); } },
      legend: {}, grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: years.map(String) }, yAxis: { type: "value", name: unit, scale: true }, series: out
    });
  }

  function tornado(el, s) {
    var chart = init(el);
    if (!chart || !s.inputs.length) { return; }
    var rows = s.inputs.slice().reverse();
    var pct = function (x) { return Math.round(x * 1000) / 10; };
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { data: [s.lowLabel, s.highLabel] },
      grid: { left: 260, right: 30, top: 30, bottom: 30 },
      xAxis: { type: "value", name: "%", min: 0, max: 100 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      series: [
        { name: s.lowLabel, type: "scatter", symbolSize: 10, data: rows.map(function (r) { return pct(r.low); }), itemStyle: { color: "#2c6fbb" } },
        { name: s.highLabel, type: "scatter", symbolSize: 10, data: rows.map(function (r) { return pct(r.high); }), itemStyle: { color: "#c0392b" } },
        { type: "bar", stack: "t", silent: true, itemStyle: { color: "transparent" }, data: rows.map(function (r) { return pct(Math.min(r.low, r.high)); }) },
        { type: "bar", stack: "t", silent: true, itemStyle: { color: "#95a5a6", opacity: 0.6 }, data: rows.map(function (r) { return pct(Math.abs(r.high - r.low)); }),
          markLine: { silent: true, symbol: "none", data: [{ xAxis: pct(s.p_peak_by) }], lineStyle: { type: "dashed", color: "#1b7f5b" } } }
      ]
    });
  }

  function renderResult() {
    var node = document.getElementById("result-data");
    if (!node) { return; }
    var d = JSON.parse(node.textContent), unit = node.dataset.unit, name = node.dataset.name;
    bands(document.getElementById("chart-bands"), [{ name: name, years: d.years, band: d.bands.co2 }], unit);
    d.wedges.years = d.years;
    wedges(document.getElementById("chart-wedges"), d.wedges, name, unit, node.dataset.reference);
    histogram(document.getElementById("chart-histogram"), d.histogram, node.dataset.notPeaked);
    d.sensitivity.lowLabel = node.dataset.low;
    d.sensitivity.highLabel = node.dataset.high;
    tornado(document.getElementById("chart-tornado"), d.sensitivity);
  }

  window.ScenarioCharts = { bands: bands, wedges: wedges, histogram: histogram, vintages: vintages, tornado: tornado,
                            renderResult: renderResult };
  document.addEventListener("DOMContentLoaded", renderResult);
  document.addEventListener("htmx:afterSettle", renderResult);
})();

// Draws the dashboard's charts from the figures the page already shows (ECharts, served
// from our own static files). Without JavaScript the tables carry the same numbers.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    function chart(id, option) {
      var el = document.getElementById(id);
      if (!el) return;
      var c = window.echarts.init(el, null, { renderer: "svg" });
      c.setOption(option);
      window.addEventListener("resize", function () { c.resize(); });
    }
    var t = data.trends;
    if (t.months.length && t.series.length) {
      chart("chart-trends", {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { top: 40, left: 50, right: 20, bottom: 30 },
        xAxis: { type: "category", data: t.months },
        yAxis: { type: "value" },
        series: t.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: false };
        })
      });
    }
    var c = data.comparison;
    if (c.units.length) {
      chart("chart-comparison", {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { top: 40, left: 50, right: 20, bottom: 60 },
        xAxis: { type: "category", data: c.units, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value" },
        series: c.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      });
    }
    if (data.flow.length) {
      var names = [];
      data.flow.forEach(function (r) {
        // A channel is a node twice (sent and received) so that a Sankey stays acyclic.
        [r.from + " ›", "› " + r.to].forEach(function (n) {
          if (names.indexOf(n) < 0) names.push(n);
        });
      });
      chart("chart-flow", {
        tooltip: {},
        series: [{
          type: "sankey",
          data: names.map(function (n) { return { name: n }; }),
          links: data.flow.map(function (r) {
            return { source: r.from + " ›", target: "› " + r.to, value: r.n };
          })
        }]
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

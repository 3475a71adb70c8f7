// Charts of the indicators page: rates by the chosen dimension and the monthly trend (ECharts from npm).
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var data = JSON.parse(document.getElementById("indicators-data").textContent);
  var monthly = JSON.parse(document.getElementById("indicators-monthly").textContent);
  var due = document.getElementById("chart-month").dataset.dueLabel;
  var label = function (key) {
    for (var i = 0; i < data.rates.length; i++) if (data.rates[i].key === key) return data.rates[i].label;
    return key;
  };
  var percent = function (v) { return v == null ? "—" : v + "%"; };
  var series = function (rows, keys, type) {
    return keys.map(function (k) {
      return { name: label(k), type: type, tooltip: { valueFormatter: percent },
               data: rows.map(function (r) { return r.rates[k]; }) };
    });
  };
  var byKeys = ["close_rate", "on_time_rate", "rework_rate", "extension_rate"];
  var byChart = echarts.init(document.getElementById("chart-by"));
  // A hundred grid workers are a hundred groups of bars: show SHOWN at a time with a slider under the axis
  // (and the mouse wheel / a swipe) rather than bars too thin to read. Names are cut at LABEL px (the tooltip
  // and the table give them whole) and the margins leave room for them at 30°: ECharts' containLabel does not
  // count a rotated label's reach to the left, so the first name was cut at the chart's edge.
  var SHOWN = 12, LABEL = 96;
  var many = data.rows.length > SHOWN;
  var reach = Math.ceil(LABEL * Math.cos(Math.PI / 6)), drop = Math.ceil(LABEL * Math.sin(Math.PI / 6)) + 24;
  byChart.setOption({
    tooltip: { trigger: "axis" },
    legend: {}, grid: { left: reach + 8, right: 16, bottom: drop + (many ? 40 : 8) },
    xAxis: { type: "category", data: data.rows.map(function (r) { return r.label; }),
             axisLabel: { rotate: 30, interval: 0, width: LABEL, overflow: "truncate" } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    dataZoom: many ? [{ type: "slider", xAxisIndex: 0, startValue: 0, endValue: SHOWN - 1, bottom: 8,
                        zoomLock: true, brushSelect: false },
                      { type: "inside", xAxisIndex: 0, zoomLock: true }] : [],
    series: series(data.rows, byKeys, "bar")
  });
  var monthChart = echarts.init(document.getElementById("chart-month"));
  monthChart.setOption({
    tooltip: { trigger: "axis" }, legend: {}, grid: { left: 16, right: 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: monthly.rows.map(function (r) { return r.label; }) },
    yAxis: [{ type: "value", max: 100, axisLabel: { formatter: "{value}%" } }, { type: "value", name: due }],
    series: series(monthly.rows, ["close_rate", "on_time_rate"], "line").concat([
      { name: due, type: "bar", yAxisIndex: 1, data: monthly.rows.map(function (r) { return r.counts.due; }) }
    ])
  });
  window.addEventListener("resize", function () { byChart.resize(); monthChart.resize(); });
})();

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
  byChart.setOption({
    tooltip: { trigger: "axis" },
    legend: {}, grid: { left: 48, right: 16, bottom: 72 },
    xAxis: { type: "category", data: data.rows.map(function (r) { return r.label; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: series(data.rows, byKeys, "bar")
  });
  var monthChart = echarts.init(document.getElementById("chart-month"));
  monthChart.setOption({
    tooltip: { trigger: "axis" }, legend: {}, grid: { left: 48, right: 48, bottom: 32 },
    xAxis: { type: "category", data: monthly.rows.map(function (r) { return r.label; }) },
    yAxis: [{ type: "value", max: 100, axisLabel: { formatter: "{value}%" } }, { type: "value", name: due }],
    series: series(monthly.rows, ["close_rate", "on_time_rate"], "line").concat([
      { name: due, type: "bar", yAxisIndex: 1, data: monthly.rows.map(function (r) { return r.counts.due; }) }
    ])
  });
  window.addEventListener("resize", function () { byChart.resize(); monthChart.resize(); });
})();

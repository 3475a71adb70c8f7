// The branch ranking's bar chart (ECharts), from the rows the page embeds as JSON (#branch-data): a static
// file, since the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  var rows = JSON.parse(document.getElementById("branch-data").textContent).slice(0, 20);
  echarts.init(document.getElementById("branch-chart")).setOption({
    tooltip: {}, grid: {left: 160}, xAxis: {type: "value", min: 0},
    yAxis: {type: "category", inverse: true, data: rows.map(function (r) { return r.org__name; })},
    series: [{type: "bar", data: rows.map(function (r) { return r.avg; })}]});
});

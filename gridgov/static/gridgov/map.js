// Grid map: polygons coloured by grid type; a click shows the grid's staff and register counts.
(function () {
  var grids = JSON.parse(document.getElementById("grids-data").textContent);
  var colours = { urban: "#d62728", rural: "#2ca02c", industrial: "#1f77b4", special: "#9467bd", "": "#7f7f7f" };
  var map = L.map("map", { preferCanvas: true });
  var layer = L.featureGroup().addTo(map);
  var info = document.getElementById("grid-info");
  grids.forEach(function (g) {
    if (!g.polygon) return;
    var base = g.level === 5;
    var poly = L.geoJSON(JSON.parse(g.polygon), {
      style: { color: base ? colours[g.grid_type || ""] : "#333", weight: base ? 1 : 3, fillOpacity: base ? 0.35 : 0 },
      interactive: base,
    });
    poly.on("click", function () {
      var staff = g.staff.map(function (s) { return s.role + "：" + s.name; }).join("<br>") || "—";
      info.innerHTML = "<h2>" + g.name + " <small>" + g.code + "</small></h2><p>" + g.grid_type_label + " · " +
        g.parent + "</p><p>" + staff + "</p><p>居民 " + g.residents + " · 企业 " + g.enterprises + "</p>";
      info.dataset.grid = g.code;
    });
    poly.addTo(layer);
  });
  if (layer.getLayers().length) map.fitBounds(layer.getBounds()); else map.setView([35.95, 120.0], 11);
})();

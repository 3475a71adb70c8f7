// Map of open cases: colour by work queue (stage), red outline when the current step is overdue. The background
// is the user's towns' outlines (map.js), tiles opt-in: no tile server is needed.
(function () {
  var points = JSON.parse(document.getElementById("case-points").textContent);
  var overdue = document.getElementById("map").dataset.overdue;
  var colours = { file: "#9467bd", dispatch: "#ff7f0e", handle: "#1f77b4", verify: "#2ca02c",
                  reply: "#17becf", rate: "#bcbd22", callback: "#e377c2" };
  var map = L.map("map", { preferCanvas: true });
  var background = window.gridgovBackground(map);
  var layer = L.featureGroup().addTo(map);
  points.forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lon], {
      radius: 6, weight: p.overdue ? 3 : 1, color: p.overdue ? "#b91c1c" : "#333",
      fillColor: colours[p.queue] || "#7f7f7f", fillOpacity: 0.85,
    });
    var a = document.createElement("a");
    a.href = "/cases/" + p.id + "/";
    a.textContent = p.number + " " + p.title + "（" + p.stage_label + (p.overdue ? "，" + overdue : "") + "）";
    m.bindPopup(a);
    m.addTo(layer);
  });
  var el = document.getElementById("map");  // what was drawn, for the page's tests
  el.dataset.points = layer.getLayers().length;
  el.dataset.late = points.filter(function (p) { return p.overdue; }).length;
  if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
  else if (background.getLayers().length) map.fitBounds(background.getBounds());
  else map.setView([35.95, 120.0], 11);
})();

// Maps of gridgov, drawn without any tile server: the town outline is the background, base grids are
// coloured by type, region grids are outlined. Tiles (OpenStreetMap) are an opt-in layer, because offline
// installations cannot reach them. Modes (data-mode on the map element):
//   view  the grid map: click a grid → its staff and counts in #grid-info
//   pick  a location picker: click → fills the lat/lon inputs (WGS-84) named by data-lat / data-lon
//   edit  a polygon preview: draws the GeoJSON of the textarea named by data-polygon over its neighbours
// The background every map of gridgov draws (the report page's too): the towns' outlines from the
// #outlines-data script, OpenStreetMap tiles as the opt-in alternative. Returns the outlines' group.
window.gridgovBackground = function (map) {
  var t = document.getElementById("map-i18n").dataset;
  var data = document.getElementById("outlines-data");
  map.getContainer().style.background = "#e8eef3";
  var tiles = L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
                          { maxZoom: 19, attribution: "© OpenStreetMap" });
  var background = L.featureGroup().addTo(map);
  // Its own pane under the overlays (and SVG paths even on a map that draws its points on a canvas): the
  // outlines never cover the grids or the points drawn over them.
  map.createPane("gridgov-background").style.zIndex = 350;
  var svg = L.svg({ pane: "gridgov-background" });
  var bases = {}; bases[t.outline] = background; bases[t.tiles] = tiles;
  L.control.layers(bases, null, { collapsed: true }).addTo(map);
  (data ? JSON.parse(data.textContent) : []).forEach(function (o) {
    L.geoJSON(JSON.parse(o.geojson), { interactive: false, renderer: svg, pane: "gridgov-background",
      style: { color: "#5b6770", weight: 2, fillColor: "#fbf8f0", fillOpacity: 1, className: "town-outline" } })
      .addTo(background);
  });
  return background;
};

(function () {
  var el = document.querySelector("[data-mode]");
  if (!el || !window.L) return;
  var mode = el.getAttribute("data-mode");
  var t = document.getElementById("map-i18n").dataset;
  function read(id) { var n = document.getElementById(id); return n ? JSON.parse(n.textContent) : []; }
  var grids = read("grids-data");
  var colours = { urban: "#e4572e", rural: "#4caf50", industrial: "#2e86de", special: "#9b59b6", "": "#8a8a8a" };
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  var all = L.featureGroup().addTo(map);
  window.gridgovBackground(map).eachLayer(function (layer) { all.addLayer(layer); });
  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  var info = document.getElementById("grid-info");
  var bases5 = [], regions = [], selected = null;
  grids.forEach(function (g) { if (g.polygon) (g.level === 5 ? bases5 : regions).push(g); });
  bases5.forEach(function (g) {
    var c = colours[g.grid_type || ""] || colours[""];
    var layer = L.geoJSON(JSON.parse(g.polygon), {
      style: { color: "#ffffff", weight: 1.5, fillColor: c, fillOpacity: 0.55, className: "grid grid-" + g.code },
      interactive: mode === "view",
    });
    if (mode === "view") {
      layer.bindTooltip(esc(g.name), { sticky: true });
      layer.on("click", function () {
        if (selected) selected.setStyle({ color: "#ffffff", weight: 1.5 });
        selected = layer; layer.setStyle({ color: "#c8102e", weight: 4 }); layer.bringToFront();
        var staff = g.staff.map(function (s) { return "<li>" + esc(s.role) + "：" + esc(s.name) + "</li>"; }).join("");
        info.innerHTML = "<h2>" + esc(g.name) + " <small>" + esc(g.code) + "</small></h2><p>" +
          esc(g.grid_type_label) + " · " + esc(g.parent) + (g.area_km2 ? " · " + esc(t.area) + " " + esc(g.area_km2) : "") +
          "</p><h3>" + esc(t.staff) + "</h3><ul class=\"staff\">" + (staff || "<li>" + esc(t.none) + "</li>") +
          "</ul><p class=\"counts\">" + esc(t.residents) + " <b>" + g.residents + "</b> · " + esc(t.enterprises) +
          " <b>" + g.enterprises + "</b></p><p><a href=\"/network/divisions/" + g.id + "/\">" + esc(t.detail) + "</a></p>";
        info.dataset.grid = g.code;
      });
    }
    layer.addTo(map).addTo(all);
  });
  regions.forEach(function (g) {
    L.geoJSON(JSON.parse(g.polygon), { interactive: false,
      style: { color: "#333", weight: 2.5, dashArray: "6 4", fill: false, className: "region region-" + g.code } })
      .addTo(map).addTo(all);
  });

  if (mode === "view") {
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var d = L.DomUtil.create("div", "legend");
      var used = {};
      bases5.forEach(function (g) { used[g.grid_type || ""] = true; });
      var html = "<b>" + esc(t.legend) + "</b><br>";
      ["urban", "rural", "industrial", "special"].forEach(function (k) {
        if (used[k]) html += "<i style=\"background:" + colours[k] + "\"></i>" + esc(t[k]) + "<br>";
      });
      if (regions.length) html += "<i class=\"outline\" style=\"border-style:dashed\"></i>" + esc(t.region) + "<br>";
      html += "<i style=\"background:#fbf8f0;border:2px solid #5b6770\"></i>" + esc(t.town);
      d.innerHTML = html;
      return d;
    };
    legend.addTo(map);
  }

  var marker = null;
  if (mode === "pick") {
    var lat = document.getElementById(el.dataset.lat), lon = document.getElementById(el.dataset.lon);
    var crs = document.getElementById(el.dataset.crs);
    var place = function (la, lo) {
      if (marker) marker.setLatLng([la, lo]); else marker = L.circleMarker([la, lo], { radius: 8, color: "#c8102e", weight: 3, fillOpacity: 0.8 }).addTo(map);
    };
    if (lat.value && lon.value && !isNaN(parseFloat(lat.value)) && crs.value === "wgs84") place(parseFloat(lat.value), parseFloat(lon.value));
    map.on("click", function (ev) {
      lat.value = ev.latlng.lat.toFixed(6); lon.value = ev.latlng.lng.toFixed(6); crs.value = "wgs84";
      place(ev.latlng.lat, ev.latlng.lng);
    });
  }
  if (mode === "edit") {
    var area = document.getElementById(el.dataset.polygon), preview = null;
    var draw = function () {
      if (preview) { map.removeLayer(preview); preview = null; }
      try {
        preview = L.geoJSON(JSON.parse(area.value), { style: { color: "#c8102e", weight: 3, fillOpacity: 0.2 } }).addTo(map);
        map.fitBounds(preview.getBounds().pad(0.5));
      } catch (e) { /* the server names what is wrong with it */ }
    };
    area.addEventListener("change", draw);
    draw();
    if (preview) return;
  }
  if (all.getLayers().length) map.fitBounds(all.getBounds().pad(0.02)); else map.setView([35.95, 120.0], 11);
})();

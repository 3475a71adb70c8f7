// Report form: pin the place on the map or take the phone's GPS position (WGS-84 from the browser).
(function () {
  var el = document.getElementById("map");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var where = document.getElementById("where");
  var c = (el.dataset.center || "35.9,120.0").split(",").map(Number);
  var map = L.map("map");
  // The towns' outlines are the background, so the map shows where to pin with no tile server; the
  // OpenStreetMap tiles are an opt-in layer (offline installations cannot reach them).
  var t = document.getElementById("map-i18n").dataset;
  var outlines = JSON.parse(document.getElementById("outlines-data").textContent);
  map.getContainer().style.background = "#e8eef3";
  var background = L.featureGroup().addTo(map);
  outlines.forEach(function (o) {
    L.geoJSON(JSON.parse(o.geojson), { interactive: false,
      style: { color: "#5b6770", weight: 2, fillColor: "#fbf8f0", fillOpacity: 1, className: "town-outline" } })
      .addTo(background);
  });
  var tiles = L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: "© OpenStreetMap" });
  var bases = {}; bases[t.outline] = L.layerGroup().addTo(map); bases[t.tiles] = tiles;
  L.control.layers(bases, null, { collapsed: true }).addTo(map);
  var marker = null;
  function put(la, lo) {
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    if (marker) marker.setLatLng([la, lo]); else marker = L.marker([la, lo]).addTo(map);
    where.textContent = lat.value + ", " + lon.value;
  }
  if (lat.value && lon.value) { put(+lat.value, +lon.value); map.setView([+lat.value, +lon.value], 16); }
  else if (background.getLayers().length) map.fitBounds(background.getBounds().pad(0.02));
  else map.setView(c, 13);
  map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng); });
  document.getElementById("gps").addEventListener("click", function () {
    if (!navigator.geolocation) { where.textContent = where.dataset.noGps; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      put(pos.coords.latitude, pos.coords.longitude); map.setView([pos.coords.latitude, pos.coords.longitude], 17);
    }, function () { where.textContent = where.dataset.gpsFailed; }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();

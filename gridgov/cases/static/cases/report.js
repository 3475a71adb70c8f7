// Report form: pin the place on the map or take the phone's GPS position (WGS-84 from the browser).
(function () {
  // Staff: a hint that belongs to one channel (<p data-for-channel="hotline">) shows while that channel is chosen.
  var channel = document.querySelector("select[name=channel]");
  if (channel) channel.addEventListener("change", function () {
    document.querySelectorAll("[data-for-channel]").forEach(function (p) {
      p.hidden = p.getAttribute("data-for-channel") !== channel.value;
    });
  });
  var el = document.getElementById("map");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var where = document.getElementById("where");
  var c = (el.dataset.center || "35.9,120.0").split(",").map(Number);
  var map = L.map("map");
  // The towns' outlines are the background (map.js), so the map shows where to pin with no tile server.
  var background = window.gridgovBackground(map);
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

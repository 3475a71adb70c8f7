// An inspection on a phone: each answer is saved the moment it is given (a small POST per item), so a lost
// connection loses nothing; the position is taken once for the submit. Without this script the form still
// saves and submits whole.
(function () {
  "use strict";
  var root = document.getElementById("inspection");
  if (!root || !root.dataset.editable) { return; }
  var api = root.dataset.api;
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function value(block, name) {
    var el = block.querySelector("[name='" + name + "-" + block.dataset.item + "']" +
                                 (name === "result" ? ":checked" : ""));
    return el ? el.value : "";
  }
  function said(block, text, bad) {
    var out = block.querySelector(".saved");
    out.textContent = text;
    out.className = bad ? "saved field-error" : "saved";
  }
  function save(block) {
    var result = value(block, "result");
    if (!result) { return; }
    var body = {item: parseInt(block.dataset.item, 10), result: result, level: value(block, "level"),
                note: value(block, "note"), place: value(block, "place"), follow_up: value(block, "follow")};
    fetch(api, {method: "POST", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        if (res[0]) { block.classList.add("answered"); said(block, res[1].missing_evidence || "已保存", !!res[1].missing_evidence); }
        else { said(block, res[1].detail || "保存失败", true); }
      })
      .catch(function () { said(block, "网络中断：提交时将一并保存", true); });
  }
  function upload(block, input) {
    if (!input.files.length) { return; }
    var data = new FormData();
    data.append("photo", input.files[0]);
    fetch(api + "/" + block.dataset.item + "/photo", {method: "POST", credentials: "same-origin",
                                                     headers: {"X-CSRFToken": csrf()}, body: data})
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) { said(block, res[0] ? "照片已保存" : (res[1].detail || "照片保存失败"), !res[0]); if (res[0]) { input.value = ""; } })
      .catch(function () { said(block, "网络中断：提交时将一并上传", true); });
  }
  root.addEventListener("change", function (e) {
    var block = e.target.closest(".item");
    if (!block) { return; }
    if (e.target.type === "file") { upload(block, e.target); } else { save(block); }
  });
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("f-lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("f-lon").value = pos.coords.longitude.toFixed(6);
    }, function () {}, {enableHighAccuracy: true, timeout: 10000});
  }
}());

// The flow page: draw the flow's Mermaid text (Flow.graph(), shown as source below) as an SVG picture, with the
// mermaid npm package's ES module build, which loads only the chunks a state diagram needs.
(function () {
  var box = document.getElementById("flow-picture");
  var source = document.getElementById("flow-mermaid");
  var status = document.getElementById("flow-picture-status");
  if (!box || !source) return;
  // The steps that leave a case in its stage (改派, 延期, 缓办, 督办, …) are drawn as one loop per stage with its
  // labels one under another: dagre draws seven loops on one box as a tangle. The source below stays as declared.
  function legible(text) {
    var loops = {}, stages = [], out = [];
    text.split("\n").forEach(function (line) {
      var m = line.match(/^\s*(\w+) --> (\w+): (.*)$/);
      if (m && m[1] === m[2]) {
        if (!loops[m[1]]) { loops[m[1]] = []; stages.push(m[1]); }
        loops[m[1]].push(m[3]);
      } else {
        out.push(line);
      }
    });
    stages.forEach(function (s) { out.push("  " + s + " --> " + s + ": " + loops[s].join("<br/>")); });
    return out.join("\n");
  }
  function fail(err) {
    status.textContent = box.dataset.error;
    box.dataset.state = "failed";
    if (window.console) console.error(err);
  }
  import(box.dataset.mermaid).then(function (m) {
    var mermaid = m.default;
    // strict: labels are text, never HTML or links; the page's CSP allows no inline script anyway.
    mermaid.initialize({startOnLoad: false, securityLevel: "strict", theme: "neutral",
                        state: {useMaxWidth: true}});
    return mermaid.render("flow-svg", legible(source.textContent));
  }).then(function (result) {
    var holder = document.createElement("div");
    holder.className = "flow-svg";
    holder.innerHTML = result.svg;
    var svg = holder.querySelector("svg");
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", box.getAttribute("aria-label"));
    }
    status.remove();
    box.appendChild(holder);
    box.dataset.state = "drawn";
  }).catch(fail);
})();

// Small page behaviours. The Content-Security-Policy forbids inline scripts, so handlers live here.
(function () {
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("[data-autosubmit]")) el.form.submit();
  });
  // A confirmation before destructive or logged actions: <form data-confirm="...">.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  // <button data-copy="#id">: copy that input's text (the follow link), and say so on the button.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-copy]");
    if (!b) return;
    var field = document.querySelector(b.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var done = function () { b.textContent = b.getAttribute("data-copied") || b.textContent; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, function () {});
    else if (document.execCommand && document.execCommand("copy")) done();
  });
  // <a data-with-query>: a download of what the list shows, carrying the list's filters as they are now (the
  // filter form updates the address bar, not the link).
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-with-query]");
    if (a) a.href = a.getAttribute("href").split("?")[0] + window.location.search;
  });
  // <details data-open-wide>: folded on a phone (the list or map comes first), open on a wider screen.
  if (window.matchMedia("(min-width: 641px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }
  // A refused form comes back as a page scrolled to its top; on a phone the reason (beside its action, under
  // a map, ...) may be screens below. Bring the first one into view.
  var refusal = document.querySelector(".error[role=alert]");
  if (refusal) {
    var box = refusal.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) refusal.scrollIntoView({ block: "center" });
  }
})();

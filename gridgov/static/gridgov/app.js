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
  // A refused form comes back as a page scrolled to its top; on a phone the reason (beside its action, under
  // a map, ...) may be screens below. Bring the first one into view.
  var refusal = document.querySelector(".error[role=alert]");
  if (refusal) {
    var box = refusal.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) refusal.scrollIntoView({ block: "center" });
  }
})();

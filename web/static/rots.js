// A little help where JavaScript runs; every page works without it.
// After a form comes back with problems, put the focus on their summary so
// that a screen reader reads it first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("foutoverzicht");
  if (summary) { summary.focus(); }
  // A form sent once is not sent again by a second click while the first
  // is on its way (the request_id makes a repeat harmless anyway).
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function () {
      setTimeout(function () { f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; }); }, 0);
    });
  });
});

// clausewatch: light progressive enhancement. Every page works without it.
// Switches the diff layout (side by side / inline) in place and remembers
// the choice; the links it enhances work on their own.
(function () {
  "use strict";
  var changes = document.getElementById("changes");
  var links = document.querySelectorAll(".view-switch a[data-view]");
  if (!changes || links.length === 0) { return; }
  function show(view) {
    changes.classList.remove("side", "inline");
    changes.classList.add(view);
    links.forEach(function (a) {
      if (a.getAttribute("data-view") === view) { a.setAttribute("aria-current", "true"); }
      else { a.removeAttribute("aria-current"); }
    });
  }
  try {
    var saved = window.localStorage.getItem("cw-diff-view");
    if (saved === "side" || saved === "inline") { show(saved); }
  } catch (e) { /* storage may be off */ }
  links.forEach(function (a) {
    a.addEventListener("click", function (ev) {
      var view = a.getAttribute("data-view");
      ev.preventDefault();
      show(view);
      try { window.localStorage.setItem("cw-diff-view", view); } catch (e) { /* ignore */ }
      if (window.history && window.history.replaceState) { window.history.replaceState(null, "", a.getAttribute("href")); }
    });
  });
}());

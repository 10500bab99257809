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
// Collapsed unchanged provisions: opening the fold loads them from the
// page its link points to (same origin), and "load more" appends the next
// page in place. Without script the links open those pages.
(function () {
  "use strict";
  function load(url, into, replace) {
    return window.fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var doc = new window.DOMParser().parseFromString(html, "text/html");
        var part = doc.getElementById("lazy");
        if (!part) { return; }
        if (replace) { into.textContent = ""; }
        Array.prototype.slice.call(part.childNodes).forEach(function (n) {
          into.appendChild(document.importNode(n, true));
        });
        into.setAttribute("data-loaded", "true");
      });
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest(".lazy-body .lazy-more a") : null;
    if (!a) { return; }
    ev.preventDefault();
    var body = a.closest(".lazy-body");
    var more = a.closest(".lazy-more");
    load(a.getAttribute("href"), body, false).then(function () { more.remove(); });
  });
  document.querySelectorAll("details.lazy[data-src]").forEach(function (d) {
    d.addEventListener("toggle", function () {
      var body = d.querySelector(".lazy-body");
      if (!d.open || !body || body.getAttribute("data-loaded")) { return; }
      load(d.getAttribute("data-src"), body, true).catch(function () { /* the link stays */ });
    });
  });
}());

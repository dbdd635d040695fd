// doluong: small progressive enhancements. No inline scripts anywhere (strict CSP).
(function () {
  "use strict";

  // Search-as-you-type choice of one object (core/widgets/lookup.html).
  function setupLookup(box) {
    var url = box.dataset.lookupUrl;
    var hidden = box.querySelector(".lookup-value");
    var text = box.querySelector(".lookup-text");
    var results = box.querySelector(".lookup-results");
    var timer = null;
    function clear() { results.replaceChildren(); }
    function search() {
      clearTimeout(timer);
      var q = text.value.trim();
      if (q.length < 1) { clear(); return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            clear();
            data.results.forEach(function (item) {
              var b = document.createElement("button");
              b.type = "button";
              b.className = "list-group-item list-group-item-action";
              b.textContent = item.text;
              b.addEventListener("click", function () {
                hidden.value = item.id;
                text.value = item.text;
                clear();
              });
              results.appendChild(b);
            });
          });
      }, 200);
    }
    text.addEventListener("input", function () { hidden.value = ""; search(); });
    // Text typed before this script ran (a slow phone): search for it now.
    if (text.value.trim() && !hidden.value) { search(); }
    document.addEventListener("click", function (e) { if (!box.contains(e.target)) { clear(); } });
  }

  // Bars whose length comes from data-value (0..100): CSP forbids style attributes in markup.
  function setupBars(root) {
    root.querySelectorAll("[data-bar]").forEach(function (el) {
      var v = Math.max(0, Math.min(100, parseFloat(el.dataset.bar) || 0));
      el.style.width = v + "%";
    });
    root.querySelectorAll("[data-left]").forEach(function (el) {
      var v = Math.max(0, Math.min(100, parseFloat(el.dataset.left) || 0));
      el.style.left = "calc(" + v + "% - 1px)";
    });
  }

  function init(root) {
    root.querySelectorAll(".lookup").forEach(setupLookup);
    setupBars(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { setupBars(e.target); });
})();

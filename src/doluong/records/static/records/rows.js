// Row editors (measured points, uncertainty budget inputs and correlations): an "add a row" button.
// The pages work without it (blank rows are always offered); no inline script anywhere (strict CSP).
(function () {
  "use strict";
  if (window.doluongRows) { return; }
  window.doluongRows = true;

  function renumber(tr, index) {
    tr.querySelectorAll("input, select").forEach(function (el) {
      el.name = el.name.replace(/-(c?)(\d+)-/, function (_m, c) { return "-" + c + index + "-"; });
      if (el.tagName === "INPUT") { el.value = ""; }
    });
    var first = tr.querySelector("td.text-muted");
    if (first) { first.textContent = String(index + 1); }
  }

  function setup(editor) {
    var button = editor.querySelector(":scope > [data-add-row], :scope [data-add-row]");
    var body = editor.querySelector("[data-rows-body]");
    var count = editor.querySelector("[data-rows-count]") ||
      (editor.previousElementSibling && editor.previousElementSibling.matches("[data-rows-count]") ? editor.previousElementSibling : null);
    if (!button || !body || !count) { return; }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var rows = body.querySelectorAll("tr[data-row]");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var index = parseInt(count.value, 10) || rows.length;
      renumber(copy, index);
      body.appendChild(copy);
      count.value = String(index + 1);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rows-editor]").forEach(setup);
  });
})();

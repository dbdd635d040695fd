// The certificate's "Print" button (no inline script: strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.classList.remove("d-none");
    b.addEventListener("click", function () { window.print(); });
  });
});

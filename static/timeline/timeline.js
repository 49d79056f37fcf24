// Progressive enhancement only: the pages work without this file.
(function () {
  "use strict";

  // On a phone the filters start folded, unless some are in force or one could
  // not be read (its note is beside it); without JavaScript they stay open.
  function foldFiltersOnSmallScreens() {
    var fold = document.querySelector(".filters-fold");
    if (!fold || !window.matchMedia("(max-width: 61.99rem)").matches) return;
    var noted = Array.prototype.some.call(fold.querySelectorAll(".notice"), function (notice) {
      return notice.textContent.trim() !== "";
    });
    if (!document.querySelector(".chips") && !noted) fold.open = false;
  }

  document.addEventListener("DOMContentLoaded", foldFiltersOnSmallScreens);

  // <button data-copy="#id">: copy the text (or value) of #id to the clipboard, and say so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText("value" in source ? source.value : source.textContent.trim()).then(
      function () { if (status) status.textContent = "Copied."; },
      function () { if (status) status.textContent = "Could not copy: select the text and copy it."; }
    );
  });
})();

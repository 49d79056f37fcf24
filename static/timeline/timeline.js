// Progressive enhancement only: the pages work without this file.
(function () {
  "use strict";

  // On a phone the filters start folded, unless some are in force; without
  // JavaScript they stay open.
  function foldFiltersOnSmallScreens() {
    var fold = document.querySelector(".filters-fold");
    if (!fold || !window.matchMedia("(max-width: 61.99rem)").matches) return;
    if (!document.querySelector(".chips")) fold.open = false;
  }

  document.addEventListener("DOMContentLoaded", foldFiltersOnSmallScreens);
})();

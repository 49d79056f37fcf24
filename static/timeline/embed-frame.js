// Inside the embed's iframe: tell the page around it how tall the content is, and take its colour scheme.
// Message format: see timeline/embeds.py.
(function () {
  "use strict";
  if (window.parent === window) return;

  var last = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "timeline:resize", height: height, href: location.href }, "*");
  }

  document.addEventListener("DOMContentLoaded", function () {
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.documentElement);
    document.body.addEventListener("htmx:afterSettle", reportHeight);
  });
  window.addEventListener("load", reportHeight);
  window.addEventListener("resize", reportHeight);

  // theme=page: the loader says whether the page around us is light or dark.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.type !== "timeline:theme") return;
    if (document.documentElement.dataset.theme === "page" && (data.scheme === "light" || data.scheme === "dark")) {
      document.documentElement.dataset.pageScheme = data.scheme;
    }
  });
})();

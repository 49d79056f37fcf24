// Timeline embed loader: sizes each <iframe data-timeline-embed> to the height its page reports,
// and tells it whether this page is light or dark. No dependencies. Message format: timeline/embeds.py.
(function () {
  "use strict";
  if (window.__timelineEmbedLoader) return;
  window.__timelineEmbedLoader = true;

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll("iframe[data-timeline-embed]"));
  }

  function originOf(frame) {
    try { return new URL(frame.src, location.href).origin; } catch (e) { return null; }
  }

  function pageScheme() {
    var colour = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g) || [255, 255, 255, 0];
    if (colour.length > 3 && Number(colour[3]) === 0) colour = [255, 255, 255];
    var luminance = (0.2126 * colour[0] + 0.7152 * colour[1] + 0.0722 * colour[2]) / 255;
    return luminance < 0.5 ? "dark" : "light";
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "timeline:resize" || typeof data.height !== "number") return;
    frames().forEach(function (frame) {
      if (frame.contentWindow !== event.source || originOf(frame) !== event.origin) return;
      frame.style.height = Math.max(100, Math.ceil(data.height)) + "px";
      frame.contentWindow.postMessage({ type: "timeline:theme", scheme: pageScheme() }, event.origin);
    });
  });
})();

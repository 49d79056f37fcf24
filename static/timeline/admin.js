// The admin's live checks: htmx does the requests; this wires what htmx cannot see.
(function () {
  "use strict";

  // Inline rows added with "Add another Citation" are new to htmx.
  document.addEventListener("formset:added", function (event) {
    if (window.htmx) window.htmx.process(event.target);
  });

  // A source chosen in the autocomplete box (select2 fires jQuery events only) re-checks the passage.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(document).on("select2:select", "select[name$='source']", function () {
      var box = this.closest(".inline-related") || this.closest("form");
      var passage = box && box.querySelector(".passage-input");
      if (passage && window.htmx) window.htmx.trigger(passage, "change");
    });
  }

  // "Use the closest match" puts the source's own words into the passage box and checks again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".use-closest-match");
    if (!button) return;
    var preview = button.closest(".anchor-preview");
    var passage = preview && preview.previousElementSibling;
    if (!passage) return;
    passage.value = button.dataset.passage;
    if (window.htmx) window.htmx.trigger(passage, "change");
  });
})();

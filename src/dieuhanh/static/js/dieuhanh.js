// dieuhanh: the little behaviour pages need beyond htmx. Everything works without it.
(function () {
  "use strict";

  // The overview has a free-text period and a quick-pick list. Keep them saying the same thing,
  // so that whichever the visitor touched last is what the request carries.
  document.addEventListener("change", function (event) {
    var preset = event.target.closest && event.target.closest("[data-period-preset]");
    if (!preset || !preset.value) {
      return;
    }
    var text = preset.form && preset.form.querySelector("[data-period-text]");
    if (text) {
      text.value = preset.value;
    }
  }, true);

  document.addEventListener("input", function (event) {
    var text = event.target.closest && event.target.closest("[data-period-text]");
    if (!text) {
      return;
    }
    var preset = text.form && text.form.querySelector("[data-period-preset]");
    if (preset) {
      preset.value = "";
    }
  });
})();

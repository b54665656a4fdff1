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
  // A result fetched by a link (breadcrumb, a unit below, the previous period, a unit on a map) answers
  // another choice than the pickers show: make them follow it, and move the focus to its title, since
  // the link that had it is gone.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "result") {
      return;
    }
    var title = target.querySelector("[data-picked-unit]");
    var form = document.querySelector("[data-pickers]");
    if (title && form) {
      var unit = form.querySelector("[name=org_unit]");
      var text = form.querySelector("[data-period-text]");
      var preset = form.querySelector("[data-period-preset]");
      if (unit && unit.value !== title.getAttribute("data-picked-unit")) {
        unit.value = title.getAttribute("data-picked-unit");
      }
      if (text) {
        text.value = title.getAttribute("data-picked-period");
      }
      if (preset) {
        preset.value = "";
      }
    }
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (title && (!trigger || !document.body.contains(trigger))) {
      title.focus();
    }
  });
})();

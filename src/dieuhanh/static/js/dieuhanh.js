// dieuhanh: the little behaviour pages need beyond htmx. Everything works without it.
(function () {
  "use strict";

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
      var year = form.querySelector("[data-period-year]");
      var part = form.querySelector("[data-period-part]");
      if (unit && unit.value !== title.getAttribute("data-picked-unit")) {
        unit.value = title.getAttribute("data-picked-unit");
      }
      if (year) {
        year.value = title.getAttribute("data-picked-year");
      }
      if (part) {
        part.value = title.getAttribute("data-picked-part");
      }
    }
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (title && (!trigger || !document.body.contains(trigger))) {
      title.focus();
    }
  });
})();

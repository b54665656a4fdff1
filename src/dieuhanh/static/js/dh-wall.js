// dieuhanh wall screen: shows one panel at a time and moves on every few seconds; htmx reloads the
// panels every few minutes. A failed reload changes nothing on screen but a small stale marker,
// so the wall keeps showing the last good figures until the server answers again.
(function () {
  "use strict";

  var index = 0;
  var paused = false;
  var timer = null;

  function panels() {
    return Array.prototype.slice.call(document.querySelectorAll("#wall-panels > .wall-panel"));
  }

  function show(next) {
    var all = panels();
    if (!all.length) { return; }
    index = ((next % all.length) + all.length) % all.length;
    all.forEach(function (panel, i) { panel.hidden = i !== index; });
    var position = document.querySelector("[data-wall-position]");
    if (position) { position.textContent = (index + 1) + "/" + all.length; }
    if (window.dhCharts) {
      window.dhCharts.init(all[index]);
      window.dhCharts.resize(all[index]);
    }
  }

  function schedule() {
    window.clearInterval(timer);
    var seconds = parseInt(document.body.getAttribute("data-rotate"), 10) || 20;
    timer = window.setInterval(function () {
      if (!paused) { show(index + 1); }
    }, seconds * 1000);
  }

  function setStale(stale) {
    var marker = document.querySelector("[data-wall-stale]");
    if (marker) { marker.hidden = !stale; }
    document.body.classList.toggle("wall--stale", stale);
  }

  function step(by) {
    show(index + by);
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    show(0);
    schedule();
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-wall-step], [data-wall-pause]");
      if (!button) { return; }
      if (button.hasAttribute("data-wall-pause")) {
        paused = !paused;
        button.setAttribute("aria-pressed", paused ? "true" : "false");
      } else {
        step(parseInt(button.getAttribute("data-wall-step"), 10));
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { step(1); }
      if (event.key === "ArrowLeft") { step(-1); }
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // Remember which panel is on screen, to stay on it after the new panels arrive.
    if (event.detail.shouldSwap) {
      var current = panels()[index];
      document.body.setAttribute("data-wall-current", current ? current.getAttribute("data-panel") : "");
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    var current = document.body.getAttribute("data-wall-current");
    var all = panels();
    var found = all.map(function (p) { return p.getAttribute("data-panel"); }).indexOf(current);
    show(found >= 0 ? found : 0);
    var fresh = document.querySelector("[data-wall-fresh]");
    var updated = document.querySelector("[data-wall-updated]");
    if (fresh && updated) {
      updated.textContent = fresh.textContent;
      updated.setAttribute("datetime", fresh.getAttribute("datetime"));
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    setStale(!event.detail.successful);
  });
  ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.addEventListener(name, function () { setStale(true); });
  });
})();

// Small enhancements only: every page works without this file.
// Hold countdowns: each [data-seconds-left] counts down from what the server computed when it
// rendered the page (no reliance on the phone's clock being right).
(function () {
  "use strict";
  var started = Date.now();
  function format(seconds) {
    if (seconds <= 0) { return "vencida"; }
    var m = Math.floor(seconds / 60), s = seconds % 60;
    if (m >= 60) { return "vence en " + Math.floor(m / 60) + " h " + (m % 60) + " min"; }
    return "vence en " + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var elapsed = Math.floor((Date.now() - started) / 1000);
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      var left = parseInt(el.getAttribute("data-seconds-left"), 10) - elapsed;
      el.textContent = format(left);
    });
  }
  document.addEventListener("htmx:afterSwap", function () { started = Date.now(); tick(); });
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();

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
// Copy buttons: shown only when this script runs (the address stays selectable without it).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy"));
        if (!field) { return; }
        field.select();
        var done = function () {
          var label = button.firstChild;
          label.textContent = "Copiado";
          setTimeout(function () { label.textContent = "Copiar"; }, 2000);
        };
        if (navigator.clipboard) {
          navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });
  });
})();
// Money forms: the button is disabled once the form is sent (the form's key already makes a
// second post a no-op on the server; this spares the owner the doubt).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[data-once]");
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }
  });
})();

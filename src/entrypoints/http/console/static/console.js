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
// Calendario: a free stretch is one cell (one link, to block its first night); a tap opens the
// block form for the night under the finger instead, found by its column's data-night.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("table.cal a.free");
    if (!link || !event.detail) { return; } // a key press keeps the first night
    var url = new URL(link.href), first = url.searchParams.get("desde");
    var cell = link.parentElement, span = cell.colSpan || 1;
    var columns = Array.prototype.slice.call(
      cell.closest("table").querySelectorAll("thead th[data-night]"));
    var from = -1;
    columns.forEach(function (th, i) { if (th.getAttribute("data-night") === first) { from = i; } });
    if (from < 0) { return; }
    for (var i = from; i < from + span && i < columns.length; i++) {
      var box = columns[i].getBoundingClientRect();
      if (event.clientX >= box.left && event.clientX < box.right) {
        url.searchParams.set("desde", columns[i].getAttribute("data-night"));
        url.searchParams.delete("hasta");
        link.href = url.toString();
        return;
      }
    }
  });
})();
// Block form: the count of nights follows the dates as they change (the server writes it
// when it draws the form).
(function () {
  "use strict";
  function recount(event) {
    var form = event.target.form;
    var out = form && form.querySelector("[data-nights]");
    if (!out) { return; }
    var nights = Math.round(
      (Date.parse(form.elements.hasta.value) - Date.parse(form.elements.desde.value)) / 86400000);
    out.textContent = !(nights >= 1) ? "—" : nights === 1 ? "1 noche" : nights + " noches";
  }
  document.addEventListener("input", recount);
  document.addEventListener("change", recount);
})();

// Starts Swagger UI on the schema named by #docs[data-url]: a file of ours, so the page needs
// no inline script (the docs' Content Security Policy allows scripts from 'self' only).
window.addEventListener("load", function () {
  "use strict";
  var root = document.getElementById("docs");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-url"),
    dom_id: "#docs",
    deepLinking: true,
    persistAuthorization: false,
  });
});

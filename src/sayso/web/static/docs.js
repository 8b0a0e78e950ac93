// The API docs page: Swagger UI (served from this site, no CDN) on /openapi.json.
(function () {
  "use strict";
  function init() {
    var node = document.getElementById("swagger-ui");
    if (!node || typeof window.SwaggerUIBundle !== "function") return;
    window.SwaggerUIBundle({
      url: node.getAttribute("data-openapi") || "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      layout: "BaseLayout",
      presets: [window.SwaggerUIBundle.presets.apis],
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

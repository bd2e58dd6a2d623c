// Kündölük's page script: runs after htmx (both are one hashed file).
(function () {
  "use strict";
  // The CSRF token is read from the <meta> on every request: a copy on <body> would go
  // stale after a boosted navigation, which does not replace body attributes.
  document.addEventListener("htmx:configRequest", function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { evt.detail.headers["X-CSRFToken"] = meta.content; }
  });
  // No connection: fall back to a normal navigation for GETs, which the service worker
  // (or the browser's own offline page) can answer, instead of failing silently.
  document.addEventListener("htmx:sendError", function (evt) {
    var cfg = evt.detail.requestConfig;
    if (cfg && cfg.verb === "get" && cfg.path) { window.location.assign(cfg.path); }
  });
})();

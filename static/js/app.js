// Kündölük's page script: runs after htmx (both are one hashed file).
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  // The CSRF token is read from the <meta> on every request: a copy on <body> would go
  // stale after a boosted navigation, which does not replace body attributes.
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRFToken"] = csrf();
  });
  // No connection: fall back to a normal navigation for GETs, which the service worker
  // (or the browser's own offline page) can answer, instead of failing silently.
  document.addEventListener("htmx:sendError", function (evt) {
    var cfg = evt.detail.requestConfig;
    if (cfg && cfg.verb === "get" && cfg.path) { window.location.assign(cfg.path); }
  });

  // Each page inlines the CSS parts it needs in its <head> (allowed by their hashes); a boosted
  // navigation or a history restore swaps only the body: add the parts this document lacks.
  function addStyles(html) {
    var end = html.indexOf("</head>");
    if (end < 0) { return; }
    var head = new DOMParser().parseFromString(html.slice(0, end), "text/html").head;
    head.querySelectorAll("style[data-part]").forEach(function (style) {
      if (!document.head.querySelector('style[data-part="' + style.dataset.part + '"]')) {
        document.head.appendChild(document.importNode(style, true));
      }
    });
  }
  document.addEventListener("htmx:beforeSwap", function (evt) { if (evt.detail.boosted) { addStyles(evt.detail.serverResponse); } });
  document.addEventListener("htmx:historyCacheMissLoad", function (evt) { addStyles(evt.detail.response); });

  var texts = document.getElementById("offline-text");
  function banner(text, action) {
    var bar = document.createElement("div");
    bar.className = "banner";
    bar.setAttribute("role", "status");
    bar.textContent = text + " ";
    if (action) { bar.appendChild(action); }
    document.body.insertBefore(bar, document.body.firstChild);
    return bar;
  }
  // Served from the offline cache: say so, and since when.
  function offline(cachedAt) {
    if (!texts) { return; }
    var when = new Date(cachedAt).toLocaleString(document.documentElement.lang, {dateStyle: "short", timeStyle: "short"});
    banner(texts.dataset.offline.replace("{time}", when));
  }
  var cachedAt = document.body.dataset.cachedAt;
  if (cachedAt && (document.body.hasAttribute("data-offline") || !navigator.onLine)) { offline(cachedAt); }
  // A boosted navigation swaps the body's content but not its attributes: read the worker's
  // mark from the answer itself (fragments have no <body>).
  document.addEventListener("htmx:afterSwap", function (evt) {
    var xhr = evt.detail.xhr;
    var mark = xhr && /<body data-cached-at="([^"]*)"( data-offline)?/.exec(xhr.responseText);
    if (mark && (mark[2] || !navigator.onLine)) { offline(mark[1]); }
  });
  // Signing out forgets this person's pages and local data on this device.
  document.addEventListener("submit", function (evt) {
    if (evt.target.getAttribute("action") !== "/logout") { return; }
    // The teacher's script may hold sign-out back: it warns about entries not yet sent.
    if (!document.dispatchEvent(new CustomEvent("kundoluk:signout", {cancelable: true}))) { evt.preventDefault(); return; }
    try { localStorage.clear(); } catch (e) { /* storage disabled */ }
    if (window.caches) {
      evt.preventDefault();
      caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf("pages-") === 0; }).map(function (n) { return caches.delete(n); }));
      }).then(function () { evt.target.submit(); }, function () { evt.target.submit(); });
    }
  }, true);

  // Where the browser offers installing, say so once, unobtrusively, with one button.
  window.addEventListener("beforeinstallprompt", function (evt) {
    if (!texts) { return; }
    evt.preventDefault();
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn small";
    button.textContent = texts.dataset.install;
    var bar = banner(texts.dataset.installHint, button);
    bar.classList.add("install");
    button.addEventListener("click", function () { bar.remove(); evt.prompt(); });
  });

  if (!("serviceWorker" in navigator)) { return; }
  var ready = navigator.serviceWorker.register("/sw.js").then(function (reg) {
    function offer(worker) {
      if (!texts || !worker || !navigator.serviceWorker.controller) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn small";
      button.textContent = texts.dataset.reload;
      button.addEventListener("click", function () { worker.postMessage({type: "activate"}); });
      banner(texts.dataset.update, button).classList.add("update");
    }
    if (reg.waiting) { offer(reg.waiting); }
    reg.addEventListener("updatefound", function () {
      var worker = reg.installing;
      worker.addEventListener("statechange", function () { if (worker.state === "installed") { offer(worker); } });
    });
    return navigator.serviceWorker.ready;
  });
  // The new version takes over only when the person asks: old and new assets never mix.
  var reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (!reloading && document.querySelector(".banner.update")) { reloading = true; window.location.reload(); }
  });
  // Tell the worker who is signed in (nobody, on the sign-in page) and what to keep for offline.
  var who = document.querySelector('meta[name="signed-in"]');
  var main = document.getElementById("main");
  ready.then(function (reg) {
    var warm = main && main.dataset.offline ? main.dataset.offline.split(" ") : [];
    // Hand the worker this very page (on a first visit, or right after signing in, it could not
    // keep it itself: it did not know yet whose it was), so it need not fetch it again.
    var page = warm.length ?
      {url: location.pathname + location.search, html: "<!doctype html>\n" + document.documentElement.outerHTML} : null;
    if (reg.active) { reg.active.postMessage({type: "hello", key: who ? who.content : null, warm: warm, page: page}); }
  });
  // A page shown from the cache is replaced by the fresh one when it arrives, unless the
  // person is typing in it.
  navigator.serviceWorker.addEventListener("message", function (evt) {
    var data = evt.data || {};
    if (data.type !== "fresh" || data.url !== location.pathname + location.search || !main) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && /INPUT|TEXTAREA|SELECT/.test(active.tagName)) { return; }
    var fresh = new DOMParser().parseFromString(data.html, "text/html").getElementById("main");
    if (fresh) {
      main.replaceChildren.apply(main, Array.from(fresh.childNodes));
      var bar = document.querySelector(".banner:not(.install):not(.update)");
      if (bar) { bar.remove(); }
      if (window.htmx) { window.htmx.process(main); }
    }
  });

  function b64ToBytes(text) {
    var pad = "=".repeat((4 - text.length % 4) % 4);
    var raw = atob((text + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function send(sub) {
    return fetch("/notifications/subscribe", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify(sub)});
  }
  // The browser may renew a subscription at any time: re-send the current one on open.
  if (window.PushManager && window.Notification && Notification.permission === "granted" &&
      document.querySelector('meta[name="signed-in"]')) {
    ready.then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) { if (sub) { send(sub.toJSON()); } });
  }
  // The notifications page: one button turns push on for this device.
  var button = document.getElementById("push-enable");
  var state = document.getElementById("push-state");
  if (!button || !state) { return; }
  if (!window.PushManager || !window.Notification) { state.textContent = state.dataset.unsupported; return; }
  if (Notification.permission === "denied") { state.textContent = state.dataset.denied; return; }
  state.textContent = "";
  button.hidden = false;
  button.addEventListener("click", function () {
    ready.then(function (reg) {
      return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: b64ToBytes(button.dataset.key)});
    }).then(function (sub) { return send(sub.toJSON ? sub.toJSON() : sub); })
      .then(function (resp) {
        if (!resp.ok) { throw new Error(String(resp.status)); }
        state.textContent = state.dataset.on;
        window.location.reload();
      })
      .catch(function () { state.textContent = Notification.permission === "denied" ? state.dataset.denied : state.dataset.failed; });
  });
})();

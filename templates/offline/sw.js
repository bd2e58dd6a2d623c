// Kündölük service worker {{ version }}. Rendered by the app: the version is the hash of
// the hashed assets below, so any asset change installs a new worker.
"use strict";
const VERSION = "{{ version }}";
const SHELL = "shell-" + VERSION;
const PRECACHE = {{ precache|tojson }};
const PAGES = "pages-";           // + the signed-in account's opaque key
const STATE = "state";            // which account's pages may be shown
// Private pages kept for offline reading; everything else goes to the network. The diary
// (read-only for families) is shown from the cache first and refreshed behind; the
// teacher's pages change with every tap, so the network comes first and the cache only
// answers offline.
// /staff is a teacher's home, the day with today's lessons: kept so it opens offline too.
const KEEP = /^\/(diary|journal|timetable\/my)(\/|$|\?)|^\/staff($|\?)/;
const NETWORK_FIRST = /^\/(journal(\/|$)|staff$)/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("shell-") && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function currentKey() {
  const hit = await (await caches.open(STATE)).match("/__account");
  return hit ? hit.text() : null;
}

async function setKey(key) {
  // Another account (or none) now uses this browser: nobody else's pages may stay.
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(PAGES) && n !== PAGES + key).map((n) => caches.delete(n)));
  const state = await caches.open(STATE);
  if (key) { await state.put("/__account", new Response(key)); } else { await state.delete("/__account"); }
}

function isPage(request) {
  if (request.method !== "GET") { return false; }
  if (request.mode === "navigate") { return true; }
  // htmx: boosted navigations and history restores are pages; other htmx requests are fragments.
  return request.headers.get("HX-Request") === "true" &&
    (request.headers.get("HX-Boosted") === "true" || request.headers.get("HX-History-Restore-Request") === "true");
}

async function store(key, url, response) {
  if (!key || !response.ok || response.redirected || !(response.headers.get("Content-Type") || "").includes("text/html")) {
    return null;
  }
  const body = await response.clone().text();
  const headers = new Headers(response.headers);
  headers.set("X-Cached-At", new Date().toISOString());
  await (await caches.open(PAGES + key)).put(url, new Response(body, {status: 200, headers: headers}));
  // Signed out while this page was on its way: it must not stay on the device.
  if (await currentKey() !== key) { await caches.delete(PAGES + key); return null; }
  return body;
}

function marked(cached, offline) {
  // The page learns it came from the cache (and since when) from an attribute on <body>.
  return cached.text().then((html) => new Response(
    html.replace("<body", '<body data-cached-at="' + cached.headers.get("X-Cached-At") + '"' + (offline ? " data-offline" : "")),
    {headers: cached.headers}));
}

async function page(event) {
  const request = event.request;
  const url = new URL(request.url);
  const key = await currentKey();
  const keep = key && KEEP.test(url.pathname + url.search);
  const cacheKey = url.pathname + url.search;
  const cached = keep ? await (await caches.open(PAGES + key)).match(cacheKey, {ignoreVary: true}) : null;
  const stale = cached && !NETWORK_FIRST.test(url.pathname);
  const fresh = fetch(request).then(async (response) => {
    const body = keep ? await store(key, cacheKey, response) : null;
    if (stale && body !== null && body !== await cached.clone().text()) {
      const client = await self.clients.get(event.resultingClientId || event.clientId);
      if (client) { client.postMessage({type: "fresh", url: cacheKey, html: body}); }
    }
    return response;
  });
  if (stale) {
    // A repeat visit shows the kept page at once; the network refreshes it behind.
    event.waitUntil(fresh.catch(() => null));
    return marked(cached.clone(), false);
  }
  try {
    return await fresh;
  } catch (err) {
    // The installed app starts at "/", which only redirects: offline, a kept home answers it.
    const fallback = key ? await (await caches.open(PAGES + key)).match(url.pathname === "/" ? "/staff" : cacheKey, {ignoreVary: true}) : null;
    if (fallback) { return marked(fallback, true); }
    return new Response("<!doctype html><meta charset=utf-8><title>Kündölük</title><p>Offline · Интернет жок · Нет сети</p>",
      {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "GET" && url.pathname.startsWith("/a/")) {
    // Hashed assets never change under their URL: the cache answers first.
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (isPage(request)) {
    event.respondWith(page(event));
  } else if (request.method === "POST" && !url.pathname.startsWith("/journal/")) {
    // A family's POST (language, child, "seen", a remark read) changes what the kept pages
    // show: forget them before the answer arrives; the next page warms them again.
    event.respondWith(fetch(request).then(async (response) => {
      const key = await currentKey();
      if (key) { await caches.delete(PAGES + key); }
      return response;
    }));
  }
  // Fragments, POSTs and everything else: the network only, never cached.
});

async function warm(urls) {
  const key = await currentKey();
  if (!key) { return; }
  const cache = await caches.open(PAGES + key);
  for (const url of urls) {
    if (!KEEP.test(url)) { continue; }
    // Stop once someone signs out; a followed redirect to the sign-in page would reset the
    // next person's session cookie on a shared device.
    if (await currentKey() !== key) { return; }
    try {
      const response = await fetch(url, {credentials: "same-origin", redirect: "manual"});
      await store(key, url, response);
    } catch (err) { return; }  // offline again: try on the next visit
  }
  return cache;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "hello") {
    // Each page says who is signed in (no one on the sign-in page) and what to keep for offline.
    event.waitUntil(setKey(data.key || null).then(async () => {
      if (!data.key) { return; }
      if (data.page && KEEP.test(data.page.url)) {
        await store(data.key, data.page.url, new Response(data.page.html, {headers: {"Content-Type": "text/html; charset=utf-8"}}));
      }
      if (Array.isArray(data.warm)) { await warm(data.warm.slice(0, 12)); }
    }));
  }
  if (data.type === "activate") { self.skipWaiting(); }
});

self.addEventListener("push", (event) => {
  let data;
  try { data = event.data.json(); } catch (e) { data = {title: "Kündölük", body: event.data ? event.data.text() : ""}; }
  event.waitUntil(self.registration.showNotification(data.title, {
    body: data.body, tag: data.tag, renotify: Boolean(data.tag),
    icon: "{{ icon }}", badge: "{{ badge }}", data: {url: data.url || "/"}
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then((list) => {
    for (const client of list) {
      if (client.url.startsWith(self.location.origin) && "navigate" in client) {
        return client.navigate(target).then((c) => (c || client).focus());
      }
    }
    return self.clients.openWindow(target);
  }));
});

"""Print what a cold first visit of the diary week costs in Chromium, and whether a repeat
visit reads offline.

    .venv/bin/python bench/diary_first_visit.py [--login student] [--quiet 2]

Starts `python app.py` on a fresh temporary SQLite demo (KUNDOLUK_TODAY=2026-10-14, so the
week has lessons) on a free port, signs in as the demo `student` in one browser context,
copies its cookies into a NEW cold context (empty HTTP cache, no service worker) and opens
the diary week there. It counts every request until the load event plus `--quiet` seconds
without network activity (DESIGN §4: page ≤ 30 KB and ≤ 5 requests; what the service
worker fetches, counted apart, ≤ 40 KB).

Method. Bytes are CDP `Network.loadingFinished.encodedDataLength` (headers + body as sent,
in the encoding actually negotiated, which is printed per request):
  * the page: a CDP session on the page target (`Network.enable`);
  * the service worker: the same page session auto-attaches to the worker target
    (`Target.setAutoAttach`, waitForDebuggerOnStart, non-flat sessions driven through
    `Target.sendMessageToTarget`), enables `Network` there before the worker runs, then
    resumes it. Every request reported on that session is the worker's (its precache and
    the diary pages it warms after "hello"), so attribution does not guess.
  * sw.js itself is caused by the page's register() call and counted with the page, but
    Chrome fetches a worker's main script in the browser process and reports only its
    headers to DevTools (about 0.9 KB). Its bytes are therefore measured by fetching
    /sw.js again with the browser's own cookies and Accept-Encoding (printed as such).
A response taken from a cache (encodedDataLength 0: the worker's precache of app.js finds it in
the HTTP cache the page just filled) costs no bytes and is shown as "(from a cache, 0 B on
the wire)"; a navigation the worker answers is shown as "(answered by the worker)".

Repeat visit: with the worker active, the network is cut (Playwright's context offline and
`Network.emulateNetworkConditions` on the worker's own session, so the worker's fetch fails
too) and the page reloaded; the script prints whether the week shows, whether it came
from the worker's cache (the worker marks <body data-cached-at>), and the time to show.
It does so twice: (a) straight after the first visit, (b) after one more online visit.
"""
import argparse
import json
import os
import sys
import time
from urllib.parse import urlsplit

import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

PAGE_BUDGET_BYTES, PAGE_BUDGET_REQUESTS, WORKER_BUDGET_BYTES = 30 * 1024, 5, 40 * 1024


class Recorder:
    """Network events of one page and of the service workers it starts, by CDP."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.requests = {}      # (who, requestId) -> dict
        self.order = []
        self.workers = []       # CDP session ids of attached worker targets
        self.last_activity = time.monotonic()
        self._ids = iter(range(1000, 10 ** 9))
        self.cdp.send("Network.enable")
        for name in ("requestWillBeSent", "requestWillBeSentExtraInfo", "responseReceived",
                     "loadingFinished", "loadingFailed"):
            self.cdp.on(f"Network.{name}", lambda e, name=name: self._event("page", name, e))
        self.cdp.on("Target.attachedToTarget", self._attached)
        self.cdp.on("Target.receivedMessageFromTarget", self._from_worker)
        self.cdp.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False})

    def _to_worker(self, sid, method, params=None):
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": sid, "message": json.dumps(
            {"id": next(self._ids), "method": method, "params": params or {}})})

    def _attached(self, e):
        sid = e["sessionId"]
        if e["targetInfo"]["type"] == "service_worker":
            self.workers.append(sid)
            self._to_worker(sid, "Network.enable")
        self._to_worker(sid, "Runtime.runIfWaitingForDebugger")

    def _from_worker(self, e):
        message = json.loads(e["message"])
        method = message.get("method", "")
        if method.startswith("Network."):
            self._event("worker", method.split(".", 1)[1], message.get("params", {}))

    def _event(self, who, name, e):
        self.last_activity = time.monotonic()
        key = (who, e.get("requestId"))
        row = self.requests.get(key)
        if row is None:
            row = self.requests[key] = {"who": who, "url": None, "type": None, "status": None, "encoding": None,
                                        "bytes": None, "failed": None, "cached": False, "sent_headers": {}}
            self.order.append(key)
        if name == "requestWillBeSent":
            row["url"], row["type"] = e["request"]["url"], e.get("type")
        elif name == "requestWillBeSentExtraInfo":
            row["sent_headers"] = {k.lower(): v for k, v in e.get("headers", {}).items()}
        elif name == "responseReceived":
            r = e["response"]
            row["url"] = row["url"] or r["url"]
            row["status"] = r["status"]
            row["encoding"] = {k.lower(): v for k, v in r["headers"].items()}.get("content-encoding", "identity")
            row["cached"] = bool(r.get("fromDiskCache") or r.get("fromPrefetchCache"))
            row["from_worker"] = bool(r.get("fromServiceWorker"))
        elif name == "loadingFinished":
            row["bytes"] = e["encodedDataLength"]
            row["cached"] = row["cached"] or (e["encodedDataLength"] == 0 and not row.get("from_worker"))
        elif name == "loadingFailed":
            row["failed"] = e.get("errorText")

    def rows(self, who=None):
        return [self.requests[k] for k in self.order if who is None or self.requests[k]["who"] == who]

    def reset(self):
        self.requests.clear()
        self.order.clear()

    def set_worker_offline(self, offline):
        conditions = {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        for sid in self.workers:
            self._to_worker(sid, "Network.emulateNetworkConditions", conditions)


def launch(p):
    return p.chromium.launch(executable_path=benchlib.CHROMIUM, args=benchlib.CHROMIUM_FLAGS)


def sign_in_in_browser(browser, base, login):
    """Sign in through the form in a context of its own; returns (where it landed, cookies)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # a family's diary, a teacher's day
    url, cookies = page.url, context.cookies()
    context.close()
    return url, cookies


def wait_quiet(page, rec, quiet, timeout=60.0):
    """Wait until `quiet` seconds pass with no network event (after the load event)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        idle = time.monotonic() - rec.last_activity
        if idle >= quiet:
            return
        page.wait_for_timeout(max(50, int((quiet - idle) * 1000)))
    raise RuntimeError("the network never went quiet")


def refetch_bytes(base, path, cookies, accept_encoding):
    """A URL as the browser gets it (same cookies, same Accept-Encoding): header + body bytes."""
    jar = {c["name"]: c["value"] for c in cookies}
    resp = requests.get(base + path, cookies=jar, headers={"Accept-Encoding": accept_encoding}, stream=True, timeout=10)
    body = resp.raw.read(decode_content=False)
    head = f"HTTP/1.1 {resp.status_code} {resp.reason}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in resp.headers.items()) + "\r\n"
    return len(head.encode()) + len(body), resp.headers.get("Content-Encoding", "identity")


def first_visit(browser, base, url, cookies, quiet):
    """The cold visit; returns (context, page, recorder, load seconds)."""
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    rec = Recorder(context, page)
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    loaded = time.perf_counter() - started
    wait_quiet(page, rec, quiet)
    return context, page, rec, loaded


def browser_accept_encoding(rec):
    document = next((r for r in rec.rows("page") if r["type"] == "Document"), {})
    return document.get("sent_headers", {}).get("accept-encoding", "gzip, deflate, br, zstd")


def add_worker_script(rec, base, cookies):
    """Replace the worker main script's header-only CDP figure with its measured size."""
    size, encoding = refetch_bytes(base, "/sw.js", cookies, browser_accept_encoding(rec))
    # The main script's request began before the worker target existed: no URL, headers only.
    scripts = [k for k in rec.order if k[0] == "worker" and rec.requests[k]["url"] is None]
    reported = sum(rec.requests[k]["bytes"] or 0 for k in scripts)
    for k in scripts:
        del rec.requests[k]
    rec.order = [k for k in rec.order if k in rec.requests]
    rec.requests[("page", "sw.js")] = {"who": "page", "url": base + "/sw.js", "type": "ServiceWorker script",
                                       "status": 200, "encoding": encoding, "bytes": size, "failed": None,
                                       "cached": False, "note": f"re-fetched; CDP reported {reported} B"}
    rec.order.append(("page", "sw.js"))


def show(rows, title, budget_bytes=None, budget_requests=None):
    total = sum(r["bytes"] or 0 for r in rows)
    verdict = ""
    if budget_bytes is not None:
        ok = total <= budget_bytes and (budget_requests is None or len(rows) <= budget_requests)
        verdict = (f"   target ≤ {budget_bytes // 1024} KB" + (f" and ≤ {budget_requests} requests" if budget_requests else "")
                   + ("  OK" if ok else "  OVER"))
    print(f"{title}: {len(rows)} requests, {total / 1024:.1f} KB ({total} B){verdict}")
    for r in rows:
        path = urlsplit(r["url"] or "?").path + (("?" + urlsplit(r["url"]).query) if r["url"] and urlsplit(r["url"]).query else "")
        extra = " (from a cache, 0 B on the wire)" if r["cached"] else (" (answered by the worker)" if r.get("from_worker") else "")
        extra += f" FAILED {r['failed']}" if r["failed"] else ""
        extra += f" [{r['note']}]" if r.get("note") else ""
        print(f"   {r['bytes'] or 0:>7} B  {r['status'] or '-':>3}  {r['encoding'] or '-':<8} {r['type'] or '-':<21} {path}{extra}")
    return total


def offline_reload(context, page, rec):
    """Cut the network (page and worker), reload; (shows the week?, from the worker's cache?, ms)."""
    context.set_offline(True)
    rec.set_worker_offline(True)
    page.wait_for_timeout(200)
    started = time.perf_counter()
    try:
        page.reload(wait_until="domcontentloaded", timeout=15000)
        page.wait_for_selector("#week .day", state="visible", timeout=5000)
        shown = True
    except PlaywrightError:  # a timeout included: the week never showed
        shown = False
    elapsed = (time.perf_counter() - started) * 1000
    cached = page.evaluate("() => document.body && document.body.hasAttribute('data-cached-at')")
    text = page.evaluate("() => document.body ? document.body.innerText.slice(0, 80) : ''")
    nav = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                        " return n ? [n.responseEnd, n.domContentLoadedEventEnd] : null }")
    context.set_offline(False)
    rec.set_worker_offline(False)
    return shown, cached, elapsed, nav, text


def online_repeat(page, rec, quiet):
    """One more online visit, now under the worker: bytes and time to show the week."""
    rec.reset()
    started = time.perf_counter()
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#week .day", state="visible")
    shown_ms = (time.perf_counter() - started) * 1000
    wait_quiet(page, rec, quiet)
    return shown_ms


def print_offline(label, result):
    shown, cached, ms, nav, text = result
    timing = (f"time to show {ms:.0f} ms" + (f" (navigation responseEnd {nav[0]:.0f} ms, DOMContentLoaded "
                                             f"{nav[1]:.0f} ms)" if nav else "")) if shown else "time to show -"
    print(f"{label}: week shows offline: {'yes' if shown else 'no'}; from the worker's cache: "
          f"{'yes' if cached else 'no'}; {timing}")
    if not shown:
        print(f"   the page showed instead: {text!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--login", default="student")
    parser.add_argument("--quiet", type=float, default=2.0, help="seconds without network activity after load")
    args = parser.parse_args()
    with benchlib.DemoServer() as srv, sync_playwright() as p:
        print(f"dev server {srv.base} (demo seeded and ready in {srv.start_seconds:.1f} s), today {srv.today}; "
              f"load {benchlib.loadavg()}")
        browser = launch(p)
        try:
            url, cookies = sign_in_in_browser(browser, srv.base, args.login)
            context, page, rec, loaded = first_visit(browser, srv.base, url, cookies, args.quiet)
            add_worker_script(rec, srv.base, cookies)
            print(f"cold first visit of {urlsplit(url).path} as {args.login}: load event after {loaded * 1000:.0f} ms, "
                  f"then {args.quiet:.0f} s of quiet; worker controls the page: "
                  f"{page.evaluate('() => !!navigator.serviceWorker.controller')}")
            show(rec.rows("page"), "page (document, its subresources, favicon, manifest, sw.js)",
                 PAGE_BUDGET_BYTES, PAGE_BUDGET_REQUESTS)
            show(rec.rows("worker"), "service worker (precache + pages it warms)", WORKER_BUDGET_BYTES)
            if not any(urlsplit(r["url"] or "").path == "/manifest.webmanifest" for r in rec.rows()):
                size, encoding = refetch_bytes(srv.base, "/manifest.webmanifest", cookies, browser_accept_encoding(rec))
                print(f"   the manifest was not requested (headless Chromium fetches it only for an installability "
                      f"check); a phone that does would add 1 request, {size} B ({encoding}); the favicon is a data: URI")
            print_offline("repeat visit (a), offline reload right after the first visit", offline_reload(context, page, rec))
            shown_ms = online_repeat(page, rec, args.quiet)
            print(f"repeat visit (b), online under the worker: week shown after {shown_ms:.0f} ms")
            show(rec.rows(), "   its requests (page + worker; the worker refreshes the page behind)")
            print_offline("repeat visit (b), then offline reload", offline_reload(context, page, rec))
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()

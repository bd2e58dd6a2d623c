"""In Chromium: the notifications page subscribes this device, and the service worker shows a push."""
import json
import re

from playwright.sync_api import expect

from tests.conftest import fixed_now
from tests.conftest import RECORD_CSP, assert_clean, sign_in


def test_page_subscribes_and_worker_shows_a_pushed_notification(browser, base_url, pushbox):
    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=base_url)
    page = context.new_page()
    page.clock.install(time=fixed_now())
    page.add_init_script(RECORD_CSP)
    page.problems = []
    # Headless Chromium has no push service: stand in for the browser's subscribe().
    fake = pushbox.subscription()
    page.add_init_script("PushManager.prototype.subscribe = async function () {"
                         f" const s = {json.dumps(fake)}; return {{...s, toJSON() {{ return s; }}}}; }};")
    sign_in(page, base_url, "parent")
    page.goto(base_url + "/notifications")
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    page.click("#push-enable")
    expect(page.locator("form[id^='device-']")).to_have_count(1)

    registrations = []
    cdp = context.new_cdp_session(page)
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)
    reg = next(r for r in registrations if r["scopeURL"].startswith(base_url))
    message = {"title": "Жаңы баалар", "body": "Айпери — Алгебра: 5", "url": "/", "tag": "t1"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": base_url, "registrationId": reg["registrationId"],
                                                  "data": json.dumps(message, ensure_ascii=False)})
    shown = None
    for _ in range(50):
        shown = page.evaluate("""async () => {
            const list = await (await navigator.serviceWorker.ready).getNotifications();
            return list.length ? list[0].title + '|' + list[0].body : null; }""")
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == "Жаңы баалар|Айпери — Алгебра: 5"
    assert_clean(page)
    context.close()


def test_manifest_is_installable(browser, base_url, tmp_path):
    page = browser.new_page()
    page.goto(base_url + "/login")
    manifest = page.request.get(base_url + "/manifest.webmanifest")
    assert manifest.headers["cache-control"] == "no-cache"
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    assert any(i.get("purpose") == "maskable" for i in data["icons"])
    sw = page.request.get(base_url + "/sw.js")
    assert sw.headers["cache-control"] == "no-cache"
    assert re.search(r'const VERSION = "[0-9a-f]{12}"', sw.text())
    page.close()

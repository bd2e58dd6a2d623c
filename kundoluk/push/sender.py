"""One web push request (pywebpush), with a timeout, a fresh claims dict, TTL, urgency, Topic."""
import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from pywebpush import WebPushException, webpush

TIMEOUT = 10
TTL = 24 * 3600
MAX_PAYLOAD = 3000


@dataclass
class Outcome:
    status: int | None
    retry_seconds: int | None = None

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self):
        return self.status in (404, 410)

    @property
    def retry(self):
        return self.status is None or self.status == 429 or self.status >= 500

    def retry_after(self, attempts):
        """Honour Retry-After; else back off exponentially, at most an hour."""
        return timedelta(seconds=self.retry_seconds or min(30 * 2 ** attempts, 3600))


def topic(group_keys):
    """A Topic header (≤ 32 URL-safe characters): a newer message with it replaces the older."""
    digest = hashlib.sha256("|".join(sorted(group_keys)).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32].replace("=", "")


def payload(text, deliveries):
    """The JSON the service worker shows: title, body, where a click leads, a tag."""
    from kundoluk.push import links
    first = deliveries[0]
    data = {"title": text["title"], "body": text["body"], "url": links.target(first),
            "tag": topic([d.group_key for d in deliveries])}
    body = json.dumps(data, ensure_ascii=False)
    while len(body.encode()) > MAX_PAYLOAD:  # keep within what every push service accepts
        data["body"] = data["body"][: len(data["body"]) // 2] + "…"
        body = json.dumps(data, ensure_ascii=False)
    return body


def send(sub, text, deliveries, now):
    """Send one message to one device; never raises for the push service's failures."""
    important = any(d.important for d in deliveries)
    headers = {"Urgency": "high" if important else "normal", "Topic": topic([d.group_key for d in deliveries])}
    info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
    try:
        resp = webpush(info, data=payload(text, deliveries),
                       vapid_private_key=current_app.config["VAPID_PRIVATE_KEY"],
                       vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]},  # fresh dict: webpush mutates it
                       ttl=TTL, timeout=TIMEOUT, headers=headers)
        return Outcome(resp.status_code)
    except WebPushException as exc:
        resp = exc.response
        if resp is None:
            return Outcome(None)
        retry = resp.headers.get("Retry-After", "")
        return Outcome(resp.status_code, int(retry) if retry.isdigit() else None)
    except Exception:  # connection refused, timeout, DNS: retry later
        current_app.logger.warning("push to %s failed", sub.id, exc_info=True)
        return Outcome(None)

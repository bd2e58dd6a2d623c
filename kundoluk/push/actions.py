"""Subscribing devices and their preferences."""
import base64
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from kundoluk import audit, clock
from kundoluk.extensions import db
from kundoluk.models import PushSubscription
from kundoluk.models.push import CATEGORIES


class BadSubscription(ValueError):
    """The browser sent something that is not a usable push subscription."""


def _b64(value, size, what):
    try:
        raw = base64.urlsafe_b64decode(str(value) + "=" * (-len(str(value)) % 4))
    except (ValueError, TypeError):
        raise BadSubscription(_("The %(what)s key of the subscription is not valid.", what=what)) from None
    if len(raw) != size or (what == "p256dh" and raw[:1] != b"\x04"):
        raise BadSubscription(_("The %(what)s key of the subscription is not valid.", what=what))
    return str(value)


def validate(data):
    """(endpoint, p256dh, auth) from the browser's PushSubscription JSON, or BadSubscription."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise BadSubscription(_("The subscription is incomplete."))
    endpoint = data.get("endpoint")
    url = urlparse(endpoint) if isinstance(endpoint, str) and len(endpoint) <= 1000 else None
    allowed = {"https"} | ({"http"} if current_app.config["PUSH_ALLOW_HTTP"] else set())
    if url is None or url.scheme not in allowed or not url.netloc:
        raise BadSubscription(_("The push service address is not valid."))
    return endpoint, _b64(data["keys"].get("p256dh"), 65, "p256dh"), _b64(data["keys"].get("auth"), 16, "auth")


def subscribe(account, data, label=None):
    """Save (or refresh) this device's subscription for the account; returns it."""
    endpoint, p256dh, auth = validate(data)
    sub = db.session.execute(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)).scalar_one_or_none()
    if sub is None:
        sub = PushSubscription(endpoint=endpoint, account_id=account.id, categories=list(CATEGORIES))
        db.session.add(sub)
        audit.record("push_subscribed", actor=account, subject=account.person)
    elif sub.account_id != account.id:
        # A shared phone changed hands: the device now belongs to whoever signed in.
        sub.account_id, sub.categories, sub.enabled = account.id, list(CATEGORIES), True
    sub.p256dh, sub.auth = p256dh, auth
    sub.label = (label or "")[:120] or sub.label
    sub.last_seen_at = clock.now_utc()
    return sub


def update_device(sub, form):
    """Apply a device's preferences form."""
    sub.enabled = form.enabled.data
    sub.categories = [c for c in form.categories.data if c in CATEGORIES]
    sub.quiet_from, sub.quiet_to = form.quiet_from.data, form.quiet_to.data
    sub.digest = form.digest.data


def remove_device(account, sub):
    db.session.delete(sub)
    audit.record("push_unsubscribed", actor=account, subject=account.person)

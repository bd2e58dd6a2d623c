"""Web push: subscriptions per device, and the worker that delivers the event outbox (issue 8)."""
from flask import Blueprint

bp = Blueprint("push", __name__, url_prefix="/notifications")

from kundoluk.push import views  # noqa: E402,F401

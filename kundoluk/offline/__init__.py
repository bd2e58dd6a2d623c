"""The installable app: web manifest and the service worker at the root scope."""
from flask import Blueprint

bp = Blueprint("offline", __name__)

from kundoluk.offline import views  # noqa: E402,F401

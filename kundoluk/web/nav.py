"""The navigation bar: each blueprint registers its entries and the rule that shows them.

An entry appears only for people its access rule admits, so nothing is linked that the
reader cannot open.
"""
from flask import request, url_for
from flask_login import current_user

_ENTRIES = []  # (order, endpoint, label, rule)


def register(endpoint, label, rule, order=50):
    """Add a navigation entry (call from a blueprint's package at import time)."""
    _ENTRIES.append((order, endpoint, label, rule))
    _ENTRIES.sort(key=lambda e: e[0])


def entries():
    """[(url, label, is_current)] for the signed-in person's current role context."""
    if not current_user.is_authenticated or current_user.context is None or current_user.needs_first_sign_in:
        return []
    shown = []
    for _order, endpoint, label, rule in _ENTRIES:
        if rule.test(current_user):
            url = url_for(endpoint)
            shown.append((url, label, request.path == url or request.path.startswith(url + "/")))
    return shown


def init_app(app):
    app.jinja_env.globals["nav_entries"] = entries

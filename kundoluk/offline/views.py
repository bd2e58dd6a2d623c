import hashlib
import json

from flask import make_response, render_template
from flask_babel import gettext as _

from kundoluk.offline import bp
from kundoluk.web.access import PUBLIC, policy
from kundoluk.web.assets import asset_url

# Hashed assets the worker keeps. Icons are not precached: the launcher and the
# notification fetch them when needed, and every byte here is paid on a first visit.
PRECACHE = ("app.js",)


def precache_urls():
    return [asset_url(name) for name in PRECACHE]


def worker_version():
    """The hash of what the worker precaches: any asset change is a new worker."""
    return hashlib.sha256("|".join(precache_urls()).encode()).hexdigest()[:12]


def _no_cache(resp, mimetype):
    resp.mimetype = mimetype
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/sw.js")
@policy(PUBLIC)
def service_worker():
    body = render_template("offline/sw.js", version=worker_version(), precache=precache_urls(),
                           icon=asset_url("icons/icon-192.png"), badge=asset_url("icons/badge-96.png"))
    resp = _no_cache(make_response(body), "text/javascript")
    resp.headers["Service-Worker-Allowed"] = "/"
    return resp


@bp.get("/manifest.webmanifest")
@policy(PUBLIC)
def manifest():
    data = {
        "name": _("Kündölük — school diary"), "short_name": _("Kündölük"),
        "description": _("Electronic class journal and diary"),
        "start_url": "/", "scope": "/", "display": "standalone",
        "background_color": "#f6f7f9", "theme_color": "#1d5c87",
        "icons": [
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": asset_url("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    resp = make_response(json.dumps(data, ensure_ascii=False))
    resp.vary.add("Cookie")  # the names follow the reader's language
    return _no_cache(resp, "application/manifest+json")

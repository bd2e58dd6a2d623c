"""Static assets: content-hashed URLs, precompressed once, cached for a year.

At start-up every file under static/ (and the bundle of htmx + the app's script)
is read, hashed and compressed with gzip and brotli in memory; /a/<hash>/<name>
serves the best encoding the browser accepts. A changed file gets a new URL, so
nothing stale is ever served and no build step can be forgotten. The page's CSS is
not a file request at all: it is inlined and allowed by its hash in the CSP.
"""
import base64
import gzip
import hashlib
import os
from dataclasses import dataclass

import brotli
from flask import Blueprint, Response, abort, current_app, request
from markupsafe import Markup

from kundoluk.web.access import PUBLIC, policy

bp = Blueprint("assets", __name__)
HTMX_FILE = "vendor/htmx-2.0.11.min.js"
BUNDLES = {"app.js": [HTMX_FILE, "js/app.js"]}
SKIP_DIRS = {"css"}  # inlined, never fetched
TYPES = {".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
         ".txt": "text/plain; charset=utf-8", ".json": "application/json", ".css": "text/css"}


@dataclass
class Asset:
    name: str
    digest: str
    mimetype: str
    plain: bytes
    gzip: bytes
    br: bytes

    @property
    def url(self):
        return f"/a/{self.digest}/{self.name}"


def _make(name, body):
    mimetype = TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
    digest = hashlib.sha256(body).hexdigest()[:12]
    compressible = not mimetype.startswith("image/png")
    return Asset(name, digest, mimetype, body,
                 gzip.compress(body, 9, mtime=0) if compressible else body,
                 brotli.compress(body, quality=11) if compressible else body)


def build(static_dir):
    """Read, hash and compress every asset; returns {logical name: Asset}."""
    assets = {}
    for root, dirs, files in os.walk(static_dir):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for fname in files:
            path = os.path.join(root, fname)
            name = os.path.relpath(path, static_dir).replace(os.sep, "/")
            with open(path, "rb") as fh:
                assets[name] = _make(name, fh.read())
    for name, parts in BUNDLES.items():
        body = b"\n;".join(assets[p].plain for p in parts)
        assets[name] = _make(name, body)
    return assets


def inline_css(static_dir):
    """The page CSS and its CSP hash."""
    with open(os.path.join(static_dir, "css", "app.css"), "rb") as fh:
        css = fh.read().decode()
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"sha256-{digest}"


def asset_url(name):
    return current_app.extensions["kundoluk_assets"][name].url


@bp.get("/a/<digest>/<path:name>")
@policy(PUBLIC)
def serve(digest, name):
    asset = current_app.extensions["kundoluk_assets"].get(name)
    if asset is None or asset.digest != digest:
        abort(404)
    accepted = request.headers.get("Accept-Encoding", "")
    body, encoding = asset.plain, None
    if asset.br is not asset.plain and "br" in accepted:
        body, encoding = asset.br, "br"
    elif asset.gzip is not asset.plain and "gzip" in accepted:
        body, encoding = asset.gzip, "gzip"
    resp = Response(body, mimetype=asset.mimetype)
    if encoding:
        resp.headers["Content-Encoding"] = encoding
    resp.vary.add("Accept-Encoding")
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return resp


def init_app(app):
    static_dir = app.static_folder
    app.extensions["kundoluk_assets"] = build(static_dir)
    css, css_hash = inline_css(static_dir)
    app.config["CSS_HASHES"] = [css_hash]
    app.jinja_env.globals.update(asset_url=asset_url, inline_css=Markup(css))
    app.register_blueprint(bp)

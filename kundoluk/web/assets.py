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
import re
from dataclasses import dataclass

import brotli
import rjsmin
from flask import Blueprint, Response, abort, current_app, request
from markupsafe import Markup

from kundoluk.web.access import PUBLIC, policy

bp = Blueprint("assets", __name__)
HTMX_FILE = "vendor/htmx-2.0.11.min.js"
# journal.js: staff pages only; the grid writes through the outbox, so the outbox comes first.
BUNDLES = {"app.js": [HTMX_FILE, "js/app.js"], "journal.js": ["js/outbox.js", "js/journal-grid.js"]}
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
    if name.endswith(".js") and not name.endswith(".min.js"):
        body = rjsmin.jsmin(body.decode()).encode()  # our own scripts; htmx comes minified
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


# app.css is one file with "/* @css <part> */" markers; the base part is inlined in every
# page, a domain's part only in that domain's pages (DESIGN §4: critical CSS only).
PART_MARKER = re.compile(r"^/\* @css (\w+) \*/$")
# Which parts a blueprint's pages need besides the base (the staff home shows the teacher's day).
# The set-up part holds the form and table layouts staff pages share.
PAGE_PARTS = {"diary": ("diary",), "journal": ("journal", "setup"), "home": ("journal", "setup"),
              "credentials": ("credentials", "setup"), "school": ("setup",), "timetable": ("setup",),
              "push": ("setup",)}
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def css_parts(static_dir):
    """{part: (css text, CSP hash)} from static/css/app.css."""
    with open(os.path.join(static_dir, "css", "app.css"), encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    parts, current = {}, "base"
    for line in lines:
        marker = PART_MARKER.match(line.strip())
        if marker:
            current = marker.group(1)
            continue
        parts.setdefault(current, []).append(line)
    result = {}
    for name, chunk in parts.items():
        css = COMMENT.sub("", "\n".join(chunk)).strip()
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        result[name] = (Markup(css), f"sha256-{digest}")
    return result


def page_css():
    """[(part, css)] the current page needs, base first. app.js adds the parts a page reached
    by a boosted navigation has and the document it lands in lacks (htmx swaps only <body>)."""
    parts = current_app.extensions["kundoluk_css"]
    names = ("base",) + PAGE_PARTS.get(request.blueprint, ())
    return [(n, parts[n][0]) for n in names if n in parts]


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
    parts = css_parts(static_dir)
    app.extensions["kundoluk_css"] = parts
    app.config["CSS_HASHES"] = [digest for _css, digest in parts.values()]
    app.jinja_env.globals.update(asset_url=asset_url, page_css=page_css)
    app.register_blueprint(bp)

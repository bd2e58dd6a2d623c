"""Security headers, the CSP, the Origin check and the CSRF token endpoint."""
from flask import Blueprint, abort, current_app, jsonify, request
from flask_wtf.csrf import generate_csrf

from kundoluk.web.access import PUBLIC, policy

bp = Blueprint("security", __name__)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def content_security_policy(style_hashes):
    styles = " ".join(["'self'"] + [f"'{h}'" for h in style_hashes])
    return ("default-src 'self'; script-src 'self'; "
            f"style-src {styles}; img-src 'self' data:; connect-src 'self'; worker-src 'self'; "
            "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


def check_origin():
    """Refuse a state-changing request sent from another site (on top of the CSRF token)."""
    if request.method not in UNSAFE:
        return
    origin = request.headers.get("Origin")
    if origin is None:
        return  # old browsers and non-browser clients: the CSRF token still applies
    if origin.rstrip("/") != request.host_url.rstrip("/"):
        abort(403)


def add_headers(resp):
    h = resp.headers
    h.setdefault("Content-Security-Policy", current_app.config["CSP"])
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["X-Frame-Options"] = "DENY"
    if current_app.config["HTTPS"]:
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if "Cache-Control" not in h and resp.mimetype == "text/html":
        # Private pages: revalidate every time; never kept by shared caches.
        h["Cache-Control"] = "private, no-cache"
    return resp


@bp.get("/csrf")
@policy(PUBLIC)
def csrf_token():
    resp = jsonify(token=generate_csrf())
    resp.headers["Cache-Control"] = "no-store"
    return resp


def init_app(app):
    app.before_request(check_origin)
    app.after_request(add_headers)
    app.register_blueprint(bp)

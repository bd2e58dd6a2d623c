"""Security headers, the CSP, the Origin check, the CSRF token and conditional GETs."""
import re

from flask import Blueprint, abort, current_app, g, jsonify, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.http import generate_etag

from kundoluk import stamps
from kundoluk.web.access import PUBLIC, policy

bp = Blueprint("security", __name__)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SIGNED_TOKEN = "csrf_signed"  # session key: [raw token, its signed form]
# The write contract's key, new in each form at each render (kundoluk.writes).
CLIENT_ID_VALUES = re.compile(rb'(<input[^>]*\bname="client_id"[^>]*\bvalue=")[^"]*"')


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


def reuse_signed_token():
    """One signed CSRF token per session. Flask-WTF signs the session's token afresh (with a
    timestamp) for every request; the token lives as long as the session anyway
    (WTF_CSRF_TIME_LIMIT = None), and one stable form makes two renders of an unchanged page
    the same bytes, so they revalidate with a 304."""
    raw, kept = session.get("csrf_token"), session.get(SIGNED_TOKEN)
    if raw and kept and kept[0] == raw:
        g.csrf_token = kept[1]  # what generate_csrf() returns when it finds one


def keep_signed_token(resp):
    signed, raw = g.get("csrf_token"), session.get("csrf_token")
    if signed and raw and session.get(SIGNED_TOKEN) != [raw, signed]:
        session[SIGNED_TOKEN] = [raw, signed]
    return resp


def conditional_get(resp):
    """An ETag on every page, and a 304 when the browser already holds it (the service worker's
    background refresh, a reload). Runs before Flask-Compress, which tags the gzip form alike."""
    if (request.method == "GET" and resp.status_code == 200 and resp.mimetype == "text/html"
            and not resp.is_streamed and not resp.direct_passthrough
            and resp.get_etag()[0] is None and "Content-Encoding" not in resp.headers):
        resp.set_etag(_page_tag(resp.get_data()))
        resp.make_conditional(request)
    return resp


def _page_tag(body):
    """The tag of a page. Forms get a new client id at every render, so a page of forms would
    never be the same twice: its tag leaves the ids out and takes instead how many writes the
    viewer has made (their writer stamp). A copy the phone holds then keeps its own ids, and
    they are unspent: a write that spends an id leaves a receipt, which moves that stamp."""
    masked = CLIENT_ID_VALUES.sub(rb'\1"', body)
    if masked == body or not current_user.is_authenticated:
        return generate_etag(body)
    written = stamps.read([stamps.writer(current_user.account.id)])
    if written is None:
        return generate_etag(body)  # cannot tell spent ids from unspent: tag the ids too
    return generate_etag(masked + repr(written).encode())


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
    app.before_request(reuse_signed_token)
    # Registered after Flask-Compress, so these run before it (Flask runs them last-first).
    app.after_request(conditional_get)
    app.after_request(keep_signed_token)
    app.after_request(add_headers)
    app.register_blueprint(bp)

"""Page or fragment, decided in one place. The only importer of htmx_flask."""
from flask import make_response, render_template, request
from htmx_flask import Htmx

_htmx = Htmx()


def init_app(app):
    _htmx.init_app(app)


def is_fragment_request():
    """An htmx request that wants a fragment (not boosted, not a history restore)."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def fragment_target():
    """The htmx target a fragment request asks for; None for a whole page."""
    return request.htmx.target if is_fragment_request() else None


def render(page, fragments=None, status=200, **ctx):
    """Full page, or the fragment registered for the htmx target that asked."""
    name = page
    if is_fragment_request():
        name = (fragments or {}).get(request.htmx.target, page)
    resp = make_response(render_template(name, **ctx), status)
    vary(resp)
    return resp


def vary(resp):
    resp.vary.add("HX-Request")
    resp.vary.add("HX-Target")
    return resp


def hx_redirect(location):
    """Tell htmx to load a whole new page (used when a session ends mid-request)."""
    resp = make_response("", 204)
    resp.headers["HX-Redirect"] = location
    return resp

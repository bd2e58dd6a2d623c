"""Error pages in the reader's language, full-page or htmx-sized; never a traceback."""
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kundoluk.extensions import db
from kundoluk.web import htmx

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role does not allow this action.")),
    404: (_l("Not found"), _l("There is no such page, or it is not available to you.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Changed meanwhile"), _l("Someone changed this while you were working. Reload and check.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    422: (_l("Check the form"), _l("Some fields need correcting.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An error on our side. Your saved data is safe; try again later.")),
}
CSRF_MESSAGE = (_l("Page expired"),
                _l("This page was open too long or came from elsewhere. Reload it and send again."))


def render_error(status, title, text):
    template = "errors/_error.html" if htmx.is_fragment_request() else "errors/error.html"
    resp = current_app.make_response((render_template(template, status=status, title=title, text=text), status))
    return htmx.vary(resp)


def _http_error(exc):
    status = exc.code if exc.code in MESSAGES else (500 if (exc.code or 500) >= 500 else 400)
    title, text = MESSAGES[status]
    resp = render_error(status, title, text)
    if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


def _csrf_error(exc):
    return render_error(400, *CSRF_MESSAGE)


def _server_error(exc):
    current_app.logger.exception("unhandled error")
    db.session.rollback()
    return render_error(500, *MESSAGES[500])


def init_app(app):
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)

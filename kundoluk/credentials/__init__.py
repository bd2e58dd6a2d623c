"""The credentials desk, spreadsheet imports and parent links (issue 3)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from kundoluk.web import nav
from kundoluk.web.access import DESK, DESK_ADMIN

bp = Blueprint("credentials", __name__, url_prefix="/credentials")

from kundoluk.credentials import account_views, import_views, staff_views, views  # noqa: E402,F401

nav.register("credentials.index", _l("Logins and passwords"), DESK, order=60)
nav.register("credentials.imports_page", _l("Import from a spreadsheet"), DESK_ADMIN, order=62)
nav.register("credentials.audit", _l("Account audit"), DESK_ADMIN, order=64)

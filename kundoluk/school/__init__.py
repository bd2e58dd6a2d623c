"""Year set-up for the deputy and the school administrator (issue 3)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from kundoluk.web import nav
from kundoluk.web.access import SETUP

bp = Blueprint("school", __name__, url_prefix="/setup")

from kundoluk.school import labels, views  # noqa: E402,F401

bp.record_once(labels.init_app)
nav.register("school.index", _l("Set-up"), SETUP, order=20)

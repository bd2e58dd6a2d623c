"""The diary for pupils and parents (issue 6): the week, what's new, marks, homework."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from kundoluk.web import nav
from kundoluk.web.access import Rule

bp = Blueprint("diary", __name__, url_prefix="/diary")
FAMILY = Rule("family", lambda user: user.context is not None and user.context.kind in ("pupil", "parent"))
nav.register("diary.index", _l("Diary"), FAMILY, order=10)

from kundoluk.diary import views  # noqa: E402,F401

"""Timetable, lessons, changes and substitutions (issue 4)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from kundoluk.web import nav
from kundoluk.web.access import PARENT, PUPIL, TIMETABLE_EDITORS, TIMETABLE_READERS, PAY_READERS

bp = Blueprint("timetable", __name__, url_prefix="/timetable")

nav.register("timetable.index", _l("Timetable"), TIMETABLE_READERS, 30)
nav.register("timetable.absences", _l("Substitutions"), TIMETABLE_EDITORS, 32)
nav.register("timetable.pay", _l("Lessons for pay"), PAY_READERS, 34)
nav.register("timetable.my_week", _l("Timetable"), PUPIL, 30)
nav.register("timetable.children", _l("Timetable"), PARENT, 30)

from kundoluk.timetable import absence_views, cancellation_views, lesson_views, views  # noqa: E402,F401

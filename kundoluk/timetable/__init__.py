"""Timetable, lessons, changes and substitutions (issue 4)."""
from flask import Blueprint

bp = Blueprint("timetable", __name__, url_prefix="/timetable")

"""The homes each role lands on. Later issues replace them: the diary week for pupils
and parents, the teacher's day for teachers, set-up screens for the administration."""
from flask import Blueprint

bp = Blueprint("home", __name__)

from kundoluk.home import views  # noqa: E402,F401

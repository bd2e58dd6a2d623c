"""Year set-up for the deputy and the school administrator (issue 3)."""
from flask import Blueprint

bp = Blueprint("school", __name__, url_prefix="/setup")

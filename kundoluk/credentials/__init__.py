"""The credentials desk, spreadsheet imports and parent links (issue 3)."""
from flask import Blueprint

bp = Blueprint("credentials", __name__, url_prefix="/credentials")

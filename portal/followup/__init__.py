from flask import Blueprint

bp = Blueprint("followup", __name__)

from . import sources, views  # noqa: E402,F401

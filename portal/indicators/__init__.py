from flask import Blueprint

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

from . import editing, views  # noqa: E402,F401

from flask import Blueprint

bp = Blueprint("framework", __name__)

from . import views  # noqa: E402,F401

"""JSON API /api/v1: session (with X-CSRFToken) or personal access token."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import action_items, framework, meetings, views  # noqa: E402,F401

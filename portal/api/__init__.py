"""JSON API /api/v1: session (with X-CSRFToken) or personal access token. One module per resource."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import account, admin, content, followup, framework, helpers, indicators, items, meetings, reference, reports, search  # noqa: E402,F401

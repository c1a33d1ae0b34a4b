"""Meetings: series, agenda, attendance, minutes, decisions, approval and errata, exports."""
from flask import Blueprint

from ..access import current_viewer

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

from . import views  # noqa: E402,F401
from .permissions import can_manage  # noqa: E402


@bp.app_context_processor
def _meeting_rights() -> dict:
    """Booleans for templates, which decide nothing themselves."""
    return {"can_manage_meetings": can_manage(current_viewer())}

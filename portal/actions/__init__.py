"""Action items per recommendation: list, create, detail with history, closure, comments, attachments, exports."""
from flask import Blueprint

from ..access import current_viewer

bp = Blueprint("actions", __name__, url_prefix="/actions")

from . import views  # noqa: E402,F401
from .permissions import can_choose_owner, can_create  # noqa: E402


@bp.app_context_processor
def _action_rights() -> dict:
    """Booleans for templates, which decide nothing themselves."""
    viewer = current_viewer()
    return {"can_create_items": can_create(viewer), "can_choose_owner": can_choose_owner(viewer)}

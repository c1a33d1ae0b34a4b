from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import views  # noqa: E402,F401


@bp.app_context_processor
def _round_banner():
    """While an update round is open, members of organisations with open items see a banner."""
    from flask import request

    from ..access import current_viewer

    viewer = current_viewer()
    if viewer is None or request.endpoint in (None, "static") or viewer.role == "reader":
        return {}
    from sqlalchemy import func, select

    from models import UPDATE_STATUSES, ActionItem

    from ..extensions import db
    from ..i18n import today
    from .rounds import current

    update_round = current(db.session, today())
    if update_round is None:
        return {}
    open_items = db.session.scalar(select(func.count()).select_from(ActionItem).where(
        ActionItem.owner_organisation_id == viewer.organisation_id, ActionItem.status.in_(UPDATE_STATUSES)))
    return {"round_banner": {"round": update_round, "open_items": open_items}} if open_items else {}

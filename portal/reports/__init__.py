"""Reports: frozen snapshots as of a peildatum, exports, update rounds."""
from flask import Blueprint, request

from ..access import current_viewer
from ..extensions import db
from ..i18n import today

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import rounds, views  # noqa: E402,F401


@bp.app_template_global()
def round_banner() -> dict | None:
    """While an update round is open, members of organisations with open items see a banner. Called by the page
    layout only, so fragments, exports and JSON never pay for the query."""
    viewer = current_viewer()
    if viewer is None or request.endpoint in (None, "static") or viewer.role == "reader":
        return None
    return rounds.banner_for(db.session, viewer, today())

"""Reports: frozen snapshots as of a peildatum, exports, update rounds."""
from flask import Blueprint, g, request

from ..access import current_viewer
from ..extensions import db
from ..i18n import today

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import rounds, views  # noqa: E402,F401
from .permissions import can_manage_reports, can_write_narrative, sees_round_banner  # noqa: E402


@bp.app_context_processor
def _report_rights() -> dict:
    """Booleans for templates, which decide nothing themselves."""
    viewer = current_viewer()
    return {"can_manage_reports": can_manage_reports(viewer), "can_write_narratives": can_write_narrative(viewer)}


def open_round():
    """The update round open today, asked once per request (the banner and the coordinator's start page both show it)."""
    if "open_round" not in g:
        g.open_round = rounds.current(db.session, today())
    return g.open_round


@bp.app_template_global()
def round_banner() -> dict | None:
    """While an update round is open, members of organisations with open items see a banner. Called by the page
    layout only, so fragments, exports and JSON never pay for the query."""
    viewer = current_viewer()
    if not sees_round_banner(viewer) or request.endpoint in (None, "static"):
        return None
    return rounds.banner_for(db.session, viewer, open_round())

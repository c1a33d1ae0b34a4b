"""The start page: my organisation's work, what is late or due soon, recent updates, counts."""
from flask import Blueprint, render_template

from ..access import current_viewer
from ..actions import queries
from ..extensions import db
from ..i18n import today

bp = Blueprint("dashboard", __name__)

from . import coordinator  # noqa: E402


@bp.get("/")
def index():
    viewer, day = current_viewer(), today()
    return render_template("dashboard/index.html", **queries.dashboard(viewer, day), waiting=coordinator.home(db.session, viewer, day))

"""The start page: my organisation's work, what is late or due soon, recent updates, counts."""
from flask import Blueprint, render_template

from ..access import current_viewer
from ..actions import queries
from ..i18n import today

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    return render_template("dashboard/index.html", **queries.dashboard(current_viewer(), today()))

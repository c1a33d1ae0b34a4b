"""The start page: my organisation's work, what is late or due soon, recent updates, counts."""
from flask import Blueprint, render_template

from ..access import signed_in
from ..extensions import db
from ..i18n import today
from ..reports import open_round

bp = Blueprint("dashboard", __name__)

from . import coordinator, queries  # noqa: E402


@bp.get("/")
def index():
    viewer, day = signed_in(), today()
    figures = queries.dashboard(viewer, day)
    return render_template("dashboard/index.html", **figures,
                           waiting=coordinator.home(db.session, viewer, day, open_round(), figures["awaiting_count"]))

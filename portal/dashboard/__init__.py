"""The start page."""
from flask import Blueprint, render_template
from sqlalchemy import func, select

from models import FocusArea, Indicator, Recommendation

from ..access import current_viewer
from ..actions.queries import count_visible
from ..extensions import db

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    counts = {
        "focus_areas": db.session.scalar(select(func.count()).select_from(FocusArea)),
        "recommendations": db.session.scalar(select(func.count()).select_from(Recommendation)),
        "indicators": db.session.scalar(select(func.count()).select_from(Indicator)),
        "actions": db.session.scalar(count_visible(current_viewer())),
    }
    return render_template("dashboard/index.html", counts=counts)

"""Search across action items, their updates and comments, and recommendations: only what the viewer may see."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..access import signed_in
from . import queries

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("")
def results():
    q = request.args.get("q", "").strip()[:200]
    found = queries.search(signed_in(), q) if q else None
    return render_template("search/results.html", q=q, found=found, limit=queries.LIMIT)

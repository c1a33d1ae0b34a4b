"""Action item pages. Read-only for now: list and detail."""
from __future__ import annotations

from flask import render_template, request

from models import ActionItem

from ..access import current_viewer, get_or_404
from ..extensions import db
from . import bp, queries
from .permissions import can_edit, can_view

PER_PAGE = 50


@bp.get("")
def list():
    viewer = current_viewer()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = db.session.scalar(queries.count_visible(viewer))
    items = db.session.scalars(queries.visible_items(viewer).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("actions/list.html", items=items, total=total, page=page, per_page=PER_PAGE)


@bp.get("/<int:item_id>")
def detail(item_id: int):
    item = get_or_404(ActionItem, item_id, check=can_view)
    return render_template("actions/detail.html", item=item, can_edit=can_edit(current_viewer(), item))

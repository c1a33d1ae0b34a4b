"""Disposal lists for admins: what is proposed (kind, number, date; never content), approve, see what was carried out."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from models import DisposalList

from ..access import get_or_404, signed_in
from ..extensions import db
from ..writes import transaction
from . import bp, disposal


@bp.get("")
def lists():
    rows = db.session.scalars(select(DisposalList).order_by(DisposalList.id.desc())).all()
    return render_template("admin/disposal.html", lists=rows)


@bp.post("/<int:list_id>/approve")
def approve(list_id: int):
    proposal = get_or_404(DisposalList, list_id)
    try:
        with transaction():
            disposal.approve(db.session, signed_in(), proposal)
    except disposal.NotApproved:
        flash(_("Deze lijst is al goedgekeurd of uitgevoerd."), "error")
        return redirect(url_for("records.lists")), 303
    flash(_("De lijst is goedgekeurd. De vernietiging gebeurt met flask portal dispose %(id)d.", id=proposal.id), "success")
    return redirect(url_for("records.lists")), 303

"""The framework: focus areas with commitments, recommendations and live progress roll-ups (what the viewer may see)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Commitment, FocusArea

from .. import audit
from ..access import current_viewer
from ..charts import status_bars
from ..extensions import db
from ..i18n import today
from ..reports import snapshot as snap
from ..reports.exports import RESPONSE_TEXT, STATE_TEXT
from . import bp, queries


def _live():
    """The state today over what the viewer may see: the same computation as a report."""
    viewer = current_viewer()
    data = snap.compute(db.session, viewer, today(), "live", with_indicators=False)
    return data, snap.summarise(data, snap.visible_items(data, viewer))


@bp.get("/framework")
def overview():
    data, summary = _live()
    recs_by_area = {}
    for rec in summary["recommendations"]:
        for code in rec["focus_areas"]:
            recs_by_area.setdefault(code, []).append(rec)
    chart = status_bars([(a["code"], a["counts"]) for a in summary["focus_areas"] if a["total"]], "Acties per speerpunt naar status")
    return render_template("framework/overview.html", framework=data["framework"], summary=summary, recs_by_area=recs_by_area,
                           chart=chart, state_text=STATE_TEXT)


@bp.get("/framework/<code>")
def focus_area(code: str):
    data, summary = _live()
    live = next((a for a in summary["focus_areas"] if a["code"] == code), None) or abort(404)
    recs = [r for r in summary["recommendations"] if code in r["focus_areas"]]
    per_org = [(org, counts) for org, counts in live["by_organisation"].items()]
    chart = status_bars(per_org, f"Acties bij speerpunt {code} per organisatie naar status") if per_org else None
    return render_template("framework/focus_area.html", area=live, live=live, recs=recs, chart=chart, per_org=per_org,
                           state_text=STATE_TEXT, response_text=RESPONSE_TEXT,
                           can_weigh=current_viewer().role == "coordinator")


@bp.post("/framework/<code>/weights")
def weights(code: str):
    """Coordinators weigh commitments in the roll-up (equal weights unless set)."""
    viewer = current_viewer()
    if viewer.role != "coordinator":
        abort(403)
    area = db.session.scalars(select(FocusArea).where(FocusArea.code == code)).first() or abort(404)
    errors, changes = {}, {}
    for commitment in area.commitments:
        raw = (request.form.get(f"weight-{commitment.id}") or "").replace(",", ".").strip()
        try:
            weight = Decimal(raw)
            if not Decimal("0.1") <= weight <= Decimal("100"):
                raise InvalidOperation
        except InvalidOperation:
            errors[commitment.position] = raw
            continue
        if weight != commitment.weight:
            changes[commitment.position] = [str(commitment.weight), str(weight)]
            commitment.weight = weight
    if errors:
        db.session.rollback()
        flash(f"Geen gewichten opgeslagen: een gewicht is een getal van 0,1 tot 100 (fout bij afspraak {', '.join(map(str, errors))}).", "error")
        return redirect(url_for("framework.focus_area", code=code))
    if changes:
        audit.record("framework.weights_changed", actor=viewer, entity_type="focus_area", entity_id=area.id, changes=changes)
        db.session.commit()
        flash("De gewichten zijn opgeslagen.", "success")
    return redirect(url_for("framework.focus_area", code=code))


@bp.get("/recommendations")
def recommendations():
    _data, summary = _live()
    recs = sorted(summary["recommendations"], key=lambda r: (-(r["source_year"] or 0), r["source"], r["number"]))
    groups = [(key, list(items)) for key, items in groupby(recs, key=lambda r: (r["source"], r["source_title"], r["source_year"], r["source_date"]))]
    return render_template("framework/recommendations.html", groups=groups, total=len(recs), state_text=STATE_TEXT,
                           response_text=RESPONSE_TEXT)

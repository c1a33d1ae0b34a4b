"""The framework: focus areas with commitments, recommendations and live progress roll-ups (what the viewer may see)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from models import STATUSES, FocusArea

from .. import audit
from ..access import current_viewer
from ..charts import status_bars
from ..extensions import db
from ..i18n import today
from . import bp, rollup
from .permissions import can_weigh
from .state import RESPONSE_TEXT, STATE_TEXT

EMPTY = {"counts": rollup._empty(), "by_organisation": {}, "total": 0, "overdue": 0, "share_done": None, "average_progress": None}


@bp.get("/framework")
def overview():
    fw = rollup.framework(db.session)
    totals = rollup.summary(db.session, current_viewer(), today())
    areas = [(area, totals["areas"].get(area.id, EMPTY)) for area in (fw.focus_areas if fw else [])]
    recs_by_area: dict[str, list] = {}
    for rec in rollup.recommendations(db.session, current_viewer()):
        for code in rec["focus_areas"]:
            recs_by_area.setdefault(code, []).append(rec)
    chart = status_bars([(area.code, live["counts"]) for area, live in areas if live["total"]], "Acties per speerpunt naar status")
    return render_template("framework/overview.html", framework=fw, areas=areas, totals=totals, recs_by_area=recs_by_area,
                           chart=chart, state_text=STATE_TEXT)


@bp.get("/framework/<code>")
def focus_area(code: str):
    viewer = current_viewer()
    fw = rollup.framework(db.session)
    area = next((a for a in (fw.focus_areas if fw else []) if a.code == code), None) or abort(404)
    live = rollup.summary(db.session, viewer, today(), area.id)["areas"].get(area.id, EMPTY)
    recs = [r for r in rollup.recommendations(db.session, viewer) if code in r["focus_areas"]]
    per_org = list(live["by_organisation"].items())
    chart = status_bars(per_org, f"Acties bij speerpunt {code} per organisatie naar status") if per_org else None
    return render_template("framework/focus_area.html", area=area, live=live, recs=recs, chart=chart, per_org=per_org,
                           items=rollup.area_items(db.session, viewer, area.id, today()),
                           state_text=STATE_TEXT, response_text=RESPONSE_TEXT, can_weigh=can_weigh(viewer),
                           statuses=STATUSES)


@bp.post("/framework/<code>/weights")
def weights(code: str):
    """Coordinators weigh commitments in the roll-up (equal weights unless set)."""
    viewer = current_viewer()
    if not can_weigh(viewer):
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
    recs = sorted(rollup.recommendations(db.session, current_viewer()), key=lambda r: (-(r["source_year"] or 0), r["source"], r["number"]))
    groups = [(key, list(items)) for key, items in groupby(recs, key=lambda r: (r["source"], r["source_title"], r["source_year"], r["source_date"]))]
    return render_template("framework/recommendations.html", groups=groups, total=len(recs), state_text=STATE_TEXT,
                           response_text=RESPONSE_TEXT)

"""Reference data every partner sees: organisations, focus areas with commitments, recommendations."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from models import ActionItem, Indicator, Organisation, Recommendation, indicator_commitments
from models import action_item_recommendations as link

from ..access import get_or_404, signed_in
from ..actions.permissions import visible_clause
from ..extensions import db
from ..framework import followup, goals
from ..framework import queries as fq
from ..i18n import today
from ..visibility import can_view_indicator
from . import bp
from .followup import response_dict, target_json
from .helpers import versioned


@bp.get("/organisations")
def organisations():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    return jsonify([{"code": o.code, "name": o.name, "mdt_member": o.is_mdt_member, "kind": o.kind} for o in orgs])


def _linked_items(rec_ids) -> dict[int, list[int]]:
    """Visible action items per recommendation, in one query."""
    rows = db.session.execute(
        select(link.c.recommendation_id, link.c.action_item_id)
        .join(ActionItem, ActionItem.id == link.c.action_item_id)
        .where(link.c.recommendation_id.in_(rec_ids), visible_clause(signed_in()))
    ).all()
    linked: dict[int, list[int]] = {}
    for rec_id, item_id in rows:
        linked.setdefault(rec_id, []).append(item_id)
    return linked


def _rec_json(rec, linked: dict[int, list[int]], responses: dict, related: dict) -> dict:
    return {"id": rec.id, "number": rec.number, "kind": rec.kind, "text": rec.text, "response": response_dict(responses.get(rec.id)) or {
                "id": None, "stance": rec.response, "text": "", "date": None, "document": None},
            "related": related.get(rec.id, []),
            "source": {"key": rec.source.key, "title": rec.source.title, "year": rec.source.year},
            "addressee": rec.addressees[0].code if rec.addressees else None, "addressees": [o.code for o in rec.addressees],
            "focus_areas": [a.code for a in rec.focus_areas], "action_item_ids": sorted(linked.get(rec.id, [])),
            "source_id": rec.source_id, "retired_on": rec.retired_on.isoformat() if rec.retired_on else None, "version": rec.version}


@bp.get("/recommendations")
def list_recommendations():
    recs = db.session.scalars(fq.recommendations()).all()
    ids = [r.id for r in recs]
    linked, responses, related = _linked_items(ids), followup.current_responses(db.session, ids), followup.related_ids(db.session, ids)
    return jsonify([_rec_json(r, linked, responses, related) for r in recs])


@bp.get("/recommendations/<int:rec_id>")
def get_recommendation(rec_id: int):

    return recommendation_response(get_or_404(Recommendation, rec_id))


def recommendation_response(rec: Recommendation, status: int = 200):
    """One recommendation as GET answers it, with its version as ETag (PATCH needs it as If-Match)."""
    ids = [rec.id]
    return versioned(_rec_json(rec, _linked_items(ids), followup.current_responses(db.session, ids), followup.related_ids(db.session, ids)),
                     rec.version, status)


@bp.get("/focus-areas")
def focus_areas():
    """Every framework's focus areas; each commitment with its targets in force today and the indicators (that the caller
    may see) measuring it."""
    viewer = signed_in()
    frameworks = db.session.scalars(fq.frameworks()).all()
    ids = [c.id for f in frameworks for a in f.focus_areas for c in a.commitments]
    targets = goals.in_force(db.session, ids, today())
    measured: dict[int, list[str]] = {}
    for commitment_id, indicator in db.session.execute(
            select(indicator_commitments.c.commitment_id, Indicator).join(Indicator, Indicator.id == indicator_commitments.c.indicator_id)
            .where(indicator_commitments.c.commitment_id.in_(ids)).order_by(Indicator.key)).all():
        if can_view_indicator(viewer, indicator):
            measured.setdefault(commitment_id, []).append(indicator.key)
    out = []
    for framework in frameworks:
        for area in framework.focus_areas:
            out.append({"code": area.code, "title": area.title, "framework": framework.key, "framework_id": framework.id,
                        "commitments": [{"id": c.id, "position": c.position, "code": f"{area.code}.{c.position}", "text": c.text,
                                         "retired_on": c.retired_on.isoformat() if c.retired_on else None, "version": c.version,
                                         "targets": [_target(t, viewer) for t in targets.get(c.id, [])],
                                         "indicators": measured.get(c.id, [])} for c in area.commitments]})
    return jsonify(out)


def _target(t, viewer) -> dict:
    out = target_json(t)
    if t.indicator is not None and not can_view_indicator(viewer, t.indicator):
        out["indicator"] = None
    return out

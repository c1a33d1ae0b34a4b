"""Reference data every partner sees: organisations, focus areas with commitments, recommendations."""
from __future__ import annotations

from flask import abort, jsonify
from sqlalchemy import select

from models import ActionItem, Organisation, Recommendation
from models import action_item_recommendations as link

from ..access import current_viewer
from ..actions.permissions import visible_clause
from ..extensions import db
from ..framework import queries as fq
from . import bp


@bp.get("/organisations")
def organisations():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    return jsonify([{"code": o.code, "name": o.name, "mdt_member": o.is_mdt_member} for o in orgs])


def _linked_items(rec_ids) -> dict[int, list[int]]:
    """Visible action items per recommendation, in one query."""
    rows = db.session.execute(
        select(link.c.recommendation_id, link.c.action_item_id)
        .join(ActionItem, ActionItem.id == link.c.action_item_id)
        .where(link.c.recommendation_id.in_(rec_ids), visible_clause(current_viewer()))
    ).all()
    linked: dict[int, list[int]] = {}
    for rec_id, item_id in rows:
        linked.setdefault(rec_id, []).append(item_id)
    return linked


def _rec_json(rec, linked: dict[int, list[int]]) -> dict:
    return {"id": rec.id, "number": rec.number, "text": rec.text, "response": rec.response,
            "source": {"key": rec.source.key, "title": rec.source.title, "year": rec.source.year},
            "addressee": rec.addressee.code if rec.addressee else None,
            "focus_areas": [a.code for a in rec.focus_areas], "action_item_ids": sorted(linked.get(rec.id, []))}


@bp.get("/recommendations")
def list_recommendations():
    recs = db.session.scalars(fq.recommendations()).all()
    linked = _linked_items([r.id for r in recs])
    return jsonify([_rec_json(r, linked) for r in recs])


@bp.get("/recommendations/<int:rec_id>")
def get_recommendation(rec_id: int):

    rec = db.session.get(Recommendation, rec_id) or abort(404)
    return jsonify(_rec_json(rec, _linked_items([rec.id])))


@bp.get("/focus-areas")
def focus_areas():
    out = []
    for framework in db.session.scalars(fq.frameworks()).all():
        for area in framework.focus_areas:
            out.append({"code": area.code, "title": area.title, "framework": framework.key,
                        "commitments": [{"id": c.id, "position": c.position, "text": c.text} for c in area.commitments]})
    return jsonify(out)

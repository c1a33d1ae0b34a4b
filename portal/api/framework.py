"""GET /framework: the focus areas of the framework in force (or ?framework=<id>), counted over what the caller may see, today."""
from __future__ import annotations

import re

from flask import abort, jsonify, request
from flask_babel import gettext as _

from .. import focus_areas
from ..access import signed_in
from ..extensions import db
from ..framework import frameworks, rollup
from ..i18n import today
from ..inputs import bounded_int
from . import bp
from .bodies import COMMITMENT_KEY, FrameworkBody, Weights
from .helpers import body_of, service_call
from .schemas import ApiError


@bp.get("/framework")
def framework():
    raw = request.args.get("framework", "")
    framework_id = bounded_int(raw)
    if raw and framework_id is None:
        abort(404)
    fw = rollup.framework(db.session, today(), framework_id)
    if raw and fw is None:
        abort(404)
    figures = rollup.summary(db.session, signed_in(), today())
    out = []
    for area in fw.focus_areas if fw else []:
        live = figures["areas"].get(area.id)
        counts = live["counts"] if live else {}
        out.append({"code": area.code, "title": area.title, "items": live["total"] if live else 0,
                    "done": counts.get("done", 0), "awaiting_confirmation": counts.get("awaiting_confirmation", 0),
                    "late": live["overdue"] if live else 0,
                    "progress": live["share_done"] if live else None})
    return jsonify(out)


@bp.put("/focus-areas/<code>/weights")
def set_weights(code: str):
    """Weights of the focus area's commitments in the roll-up (coordinators): {"weights": {"<commitment id>": 2.5, ...}}."""
    area = focus_areas.by_code(db.session, code) or abort(404)
    raw = body_of(Weights).get("weights") or {}
    if not all(re.fullmatch(COMMITMENT_KEY, k) for k in raw):
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"weights": _("Geef per afspraak (nummer) een gewicht.")})
    with service_call(_("Alleen coördinatoren wegen afspraken.")):
        frameworks.set_weights(db.session, signed_in(), area, {int(k): str(v) for k, v in raw.items()})
    return jsonify({"code": area.code, "weights": {str(c.id): float(c.weight) for c in area.commitments}})


@bp.post("/frameworks")
def create_framework():
    """The next framework (coordinators), carrying the chosen commitments of the one in force over, each linked to its original."""
    body = body_of(FrameworkBody)
    earlier = rollup.framework(db.session, today())
    with service_call(_("Alleen coördinatoren voegen een beleidskader toe.")):
        created = frameworks.create(db.session, signed_in(), body, earlier, set(body.get("carry_over_ids") or []))
    return jsonify({"id": created.id, "key": created.key, "title": created.title, "period_start": created.period_start.isoformat(),
                    "period_end": created.period_end.isoformat(), "in_force": False}), 201

"""GET /framework: the focus areas of the framework in force (or ?framework=<id>), counted over what the caller may see, today."""
from __future__ import annotations

from flask import abort, jsonify, request

from ..access import current_viewer
from ..extensions import db
from ..framework import rollup
from ..i18n import today
from . import bp


@bp.get("/framework")
def framework():
    raw = request.args.get("framework", "")
    if raw and not (raw.isdigit() and len(raw) < 10):
        abort(404)
    fw = rollup.framework(db.session, today(), int(raw) if raw else None)
    if raw and fw is None:
        abort(404)
    figures = rollup.summary(db.session, current_viewer(), today())
    out = []
    for area in fw.focus_areas if fw else []:
        live = figures["areas"].get(area.id)
        counts = live["counts"] if live else {}
        out.append({"code": area.code, "title": area.title, "items": live["total"] if live else 0,
                    "done": counts.get("done", 0), "awaiting_confirmation": counts.get("awaiting_confirmation", 0),
                    "late": live["overdue"] if live else 0,
                    "progress": live["share_done"] if live else None})
    return jsonify(out)

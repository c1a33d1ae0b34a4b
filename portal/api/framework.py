"""GET /framework: the focus areas of the framework in force, counted over what the caller may see, today."""
from __future__ import annotations

from flask import jsonify

from ..access import current_viewer
from ..extensions import db
from ..framework import rollup
from ..i18n import today
from . import bp


@bp.get("/framework")
def framework():
    fw = rollup.framework(db.session)
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

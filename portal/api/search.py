"""Search across what the caller may see."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from ..access import signed_in
from ..actions.queries import light, links
from ..extensions import db
from ..search.queries import search
from . import bp
from .schemas import ApiError, item_json


@bp.get("/search")
def api_search():
    q = request.args.get("q", "").strip()[:200]
    if not q:
        raise ApiError(400, "bad_request", _("Geef een zoekterm mee met ?q=."))
    found = search(signed_in(), q, load=light)
    linked = links(db.session, [i.id for i in found.items])
    return jsonify(items=[{**item_json(i, linked[i.id]), "matched_in": sorted(found.reasons[i.id])} for i in found.items],
                   recommendations=[{"id": r.id, "source": r.source.key, "number": r.number, "text": r.text}
                                    for r in found.recommendations],
                   minutes=[{"meeting_id": m.id, "agenda_item_id": a.id, "title": a.title} for a, m in found.minutes],
                   more=found.more)

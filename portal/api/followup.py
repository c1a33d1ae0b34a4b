"""Frameworks, targets, responses and Parliament: GET /frameworks, /parliament; the writes twin the pages
(POST /commitments/<id>/targets, POST /recommendations/<id>/response, POST /parliament, PATCH /parliament/<id>)."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _

from models import Commitment, ParliamentCommitment, Recommendation

from ..access import get_or_404, signed_in
from ..extensions import db
from ..followup import state
from ..framework import followup, goals, parliament
from ..framework import queries as fq
from ..i18n import today
from . import bp
from .bodies import ParliamentCreate, ParliamentWrite, Related, ResponseBody, TargetBody
from .helpers import _if_match, body_of, service_call, stale_body
from .schemas import ApiError


def target_json(t) -> dict:
    return {"period": t.period, "value": float(t.value) if t.value is not None else None, "unit": t.unit, "direction": t.direction,
            "indicator": t.indicator.key if t.indicator else None, "organisation": t.organisation.code if t.organisation else None,
            "valid_from": t.valid_from.isoformat(), "source": t.source.key if t.source else None}


@bp.get("/frameworks")
def list_frameworks():
    current = fq.in_force(db.session, today())
    return jsonify([{"id": f.id, "key": f.key, "title": f.title, "period_start": f.period_start.isoformat(),
                     "period_end": f.period_end.isoformat(), "in_force": current is not None and f.id == current.id}
                    for f in fq.all_frameworks(db.session)])


@bp.post("/commitments/<int:commitment_id>/targets")
def set_target(commitment_id: int):
    viewer = signed_in()
    commitment = get_or_404(Commitment, commitment_id)
    body = body_of(TargetBody)
    with service_call(_("Alleen coördinatoren leggen doelen vast.")):
        target = goals.set_target(db.session, viewer, commitment, body, today())
    return jsonify(target_json(target)), 201


def response_json(rec_id: int) -> dict | None:
    current = followup.current_responses(db.session, [rec_id]).get(rec_id)
    return response_dict(current)


def response_dict(current) -> dict | None:
    if current is None:
        return None
    document = None
    if current.document or current.document_title or current.kamerstuk or current.url:
        document = {"title": current.document.title if current.document else current.document_title,
                    "kamerstuk": current.kamerstuk or (current.document.reference if current.document else None) or None,
                    "url": current.url or (current.document.url if current.document else None) or None}
    return {"id": current.id, "stance": current.stance, "text": current.text,
            "date": current.responded_on.isoformat() if current.responded_on else None, "document": document}


def _stale_response(version: followup.ResponseVersion, status: int):
    response = jsonify({"error": {"code": "precondition_failed", "message": _("De reactie is intussen gewijzigd."), "fields": {}},
                        "current": response_json(version.id)})
    response.status_code = status
    return response


stale_body(followup.ResponseVersion, _stale_response)


@bp.post("/recommendations/<int:rec_id>/response")
def record_response(rec_id: int):
    """Needs If-Match with the id of the response it replaces ("0" when there is none yet)."""
    viewer = signed_in()
    rec = get_or_404(Recommendation, rec_id)
    body = body_of(ResponseBody)
    base = _if_match()
    with service_call(_("Alleen coördinatoren houden het opvolgingsregister bij.")):
        followup.record_response(db.session, viewer, rec, body, base or None)
    current = response_json(rec.id)
    assert current is not None  # just recorded
    out = jsonify(current)
    out.status_code = 201
    out.headers["ETag"] = f'"{current["id"]}"'
    return out


@bp.post("/recommendations/<int:rec_id>/related")
def relate(rec_id: int):
    """"Asks the same as": link (or with "linked": false unlink) two recommendations (coordinators): {"related_id": 12}."""
    rec = get_or_404(Recommendation, rec_id)
    body = body_of(Related)  # an *_id key: the edge refuses integers beyond the database's (inputs.py)
    other = db.session.get(Recommendation, body["related_id"]) if "related_id" in body else None
    if other is None:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"related_id": _("Kies een bestaande aanbeveling.")})
    with service_call(_("Alleen coördinatoren houden het opvolgingsregister bij.")):
        followup.link_related(db.session, signed_in(), rec, other, body.get("linked", True))
    return jsonify({"id": rec.id, "related": followup.related_ids(db.session, [rec.id]).get(rec.id, [])})


def parliament_json(c: ParliamentCommitment, item_ids: list[int], changes=(), answers=()) -> dict:
    return {"id": c.id, "kind": c.kind, "kamerstuk": c.kamerstuk or None, "text": c.text,
            "date": c.made_on.isoformat() if c.made_on else None,
            "due": {"label": c.due_label, "start": c.due_start.isoformat(), "end": c.due_end.isoformat()}
            if c.due_label and c.due_start and c.due_end else None,
            "owner_organisation": c.owner_organisation.code if c.owner_organisation else None, "status": c.status,
            "closed_on": c.closed_on.isoformat() if c.closed_on else None,
            "fulfilled_by": {"title": c.fulfilled_by.title, "kamerstuk": c.fulfilled_by.reference} if c.fulfilled_by else None,
            "fulfilled_note": c.fulfilled_note or None, "action_item_ids": item_ids, "version": c.version,
            "made_in": c.made_in or None, "member": c.member or None,
            "due_history": [{"due": d.due_label or None, "changed_on": d.changed_on.isoformat(), "reason": d.reason} for d in changes],
            "answered_by": [{"source_id": a.source_id, "status": a.status, "title": a.source.title, "sent_on": _iso(a.source.issued_on),
                             "reference": a.source.reference, "kamerstuk": a.source.kamerstuk} for a in answers]}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _one(c: ParliamentCommitment, status: int = 200):
    items = parliament.linked_items(db.session, signed_in(), [c.id]).get(c.id, [])
    changes, answers = parliament.history(db.session, [c.id])
    response = jsonify(parliament_json(c, [i.id for i in items], changes.get(c.id, []), answers.get(c.id, [])))
    response.status_code = status
    response.headers["ETag"] = f'"{c.version}"'
    return response


stale_body(ParliamentCommitment, _one)


@bp.get("/parliament")
def list_parliament():
    rows = parliament.register(db.session)
    ids = [p.id for p in rows]
    linked = parliament.linked_items(db.session, signed_in(), ids)
    changes, answers = parliament.history(db.session, ids)
    return jsonify([parliament_json(p, [i.id for i in linked.get(p.id, [])], changes.get(p.id, []), answers.get(p.id, [])) for p in rows])


@bp.get("/parliament/<int:pid>")
def get_parliament(pid: int):
    return _one(get_or_404(ParliamentCommitment, pid))


def _parliament_body(body_type: type) -> dict:
    """The request in the service's terms: `date` (the name GET answers with) is the day it was made."""
    body = dict(body_of(body_type))
    if "date" in body:
        body["made_on"] = body.pop("date")
    return body


@bp.post("/parliament")
def create_parliament():
    body = _parliament_body(ParliamentCreate)
    with service_call(_("Alleen coördinatoren houden het register bij.")):
        saved = parliament.save_commitment(db.session, signed_in(), body, today())
    return _one(saved, 201)


@bp.patch("/parliament/<int:pid>")
def change_parliament(pid: int):
    commitment = get_or_404(ParliamentCommitment, pid)
    body = _parliament_body(ParliamentWrite)
    base = _if_match()
    items = parliament.linked_items(db.session, signed_in(), [pid]).get(pid, [])
    current = {"kind": commitment.kind, "kamerstuk": commitment.kamerstuk, "text": commitment.text,
               "made_on": commitment.made_on.isoformat() if commitment.made_on else None,
               "owner_organisation": commitment.owner_organisation.code if commitment.owner_organisation else None,
               "due": commitment.due_label, "status": commitment.status,
               "closed_on": commitment.closed_on.isoformat() if commitment.closed_on else None,
               "fulfilled_by": commitment.fulfilled_by.key if commitment.fulfilled_by else None,
               "fulfilled_note": commitment.fulfilled_note, "action_item_ids": [i.id for i in items],
               "made_in": commitment.made_in, "member": commitment.member}
    with service_call(_("Alleen coördinatoren houden het register bij.")):
        saved = parliament.save_commitment(db.session, signed_in(), {**current, **body}, today(), commitment, base)
    return _one(saved)


def _as_of() -> date:
    """The peildatum of a state question: `as_of` (default today, Amsterdam); 422 when malformed or in the future."""
    raw = request.args.get("as_of")
    try:
        as_of = date.fromisoformat(raw) if raw else today()
    except ValueError:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"as_of": _("Geef een datum als JJJJ-MM-DD.")}) from None
    if as_of > today():
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"as_of": _("De peildatum ligt in de toekomst.")})
    return as_of


@bp.get("/recommendations/<int:rec_id>/state")
def recommendation_state(rec_id: int):
    """Where we stand on this recommendation as of `as_of` (default today, Amsterdam), over what the caller may see."""
    rec = get_or_404(Recommendation, rec_id)
    return jsonify(state.recommendation_state(db.session, signed_in(), rec, _as_of()))


@bp.get("/commitments/<int:commitment_id>/state")
def commitment_state(commitment_id: int):
    """The same answer for a commitment: its actions (that the caller may see) and its own targets."""
    commitment = get_or_404(Commitment, commitment_id)
    return jsonify(state.commitment_state(db.session, signed_in(), commitment, _as_of()))

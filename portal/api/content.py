"""The framework's content kept by coordinators: GET/POST /sources, GET/PATCH /sources/<id>, POST /recommendations,
PATCH /recommendations/<id>, POST /focus-areas/<code>/commitments, PATCH /commitments/<id>. Every correction with If-Match."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Commitment, Recommendation, Source

from ..access import get_or_404, signed_in
from ..extensions import db
from ..focus_areas import by_code
from ..framework import content, imports
from ..framework import queries as fq
from ..i18n import today
from ..inputs import bounded_int
from ..sheets import SheetError
from . import bp
from .bodies_content import (
    CommitmentCreate,
    CommitmentWrite,
    RecommendationCreate,
    RecommendationWrite,
    SourceCreate,
    SourceWrite,
)
from .helpers import _if_match, body_of, posted_mapping, service_call, stale_body, uploaded_file, versioned
from .reference import recommendation_response
from .schemas import ApiError

FORBIDDEN = _l("Alleen coördinatoren houden de documenten, aanbevelingen en afspraken bij.")


def source_json(s: Source) -> dict:
    return {"id": s.id, "key": s.key, "kind": s.kind, "title": s.title, "issued_on": s.issued_on.isoformat() if s.issued_on else None,
            "reference": s.reference, "kamerstuk": s.kamerstuk, "issued_by": s.issued_by, "issuer": s.issuer, "url": s.url, "note": s.note,
            "retired_on": s.retired_on.isoformat() if s.retired_on else None, "version": s.version}


def _source_response(s: Source, status: int = 200):
    return versioned(source_json(s), s.version, status)


def commitment_json(c: Commitment) -> dict:
    return {"id": c.id, "code": f"{c.focus_area.code}.{c.position}", "focus_area": c.focus_area.code, "position": c.position,
            "text": c.text, "note": c.note, "retired_on": c.retired_on.isoformat() if c.retired_on else None, "version": c.version}


def _commitment_response(c: Commitment, status: int = 200):
    return versioned(commitment_json(c), c.version, status)


stale_body(Source, _source_response)
stale_body(Recommendation, recommendation_response)
stale_body(Commitment, _commitment_response)


@bp.get("/sources")
def list_sources():
    return jsonify([source_json(s) for s in content.sources(db.session)])


@bp.get("/sources/<int:source_id>")
def get_source(source_id: int):
    return _source_response(get_or_404(Source, source_id))


@bp.post("/sources")
def create_source():
    body = body_of(SourceCreate)
    with service_call(FORBIDDEN):
        source = content.save_source(db.session, signed_in(), body, today())
    return _source_response(source, 201)


@bp.patch("/sources/<int:source_id>")
def change_source(source_id: int):
    source = get_or_404(Source, source_id)
    body = body_of(SourceWrite)
    base = _if_match()
    with service_call(FORBIDDEN):
        content.save_source(db.session, signed_in(), body, today(), source, base)
    return _source_response(source)


@bp.post("/recommendations")
def create_recommendation():
    body = body_of(RecommendationCreate)
    with service_call(FORBIDDEN):
        rec = content.save_recommendation(db.session, signed_in(), body, today())
    return recommendation_response(rec, 201)


@bp.patch("/recommendations/<int:rec_id>")
def change_recommendation(rec_id: int):
    rec = get_or_404(Recommendation, rec_id)
    body = body_of(RecommendationWrite)
    base = _if_match()
    with service_call(FORBIDDEN):
        content.save_recommendation(db.session, signed_in(), body, today(), rec, base)
    return recommendation_response(rec)


@bp.post("/focus-areas/<code>/commitments")
def create_commitment(code: str):
    """A new commitment as the focus area's next (the framework in force, or ?framework=<id>)."""
    framework = request.args.get("framework", type=int)
    area = by_code(db.session, code) if framework is None else next(
        (a for f in fq.all_frameworks(db.session) if f.id == framework for a in f.focus_areas if a.code == code), None)
    if area is None:
        abort(404)
    body = body_of(CommitmentCreate)
    with service_call(FORBIDDEN):
        commitment = content.save_commitment(db.session, signed_in(), area, body, today())
    return _commitment_response(commitment, 201)


@bp.patch("/commitments/<int:commitment_id>")
def change_commitment(commitment_id: int):
    commitment = get_or_404(Commitment, commitment_id)
    body = body_of(CommitmentWrite)
    base = _if_match()
    with service_call(FORBIDDEN):
        content.save_commitment(db.session, signed_in(), commitment.focus_area, body, today(), commitment, base)
    return _commitment_response(commitment)


@bp.post("/recommendations/import")
def import_recommendations():
    """Recommendations of one document from CSV or XLSX (multipart: file, source_id, optional mapping, commit): a preview per
    line unless commit=true; nothing is stored when any line is refused (422 names every bad line)."""
    raw_source = request.form.get("source_id", "")
    source = db.session.get(Source, source_id) if (source_id := bounded_int(raw_source)) else None
    if source is None:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"source_id": _("Kies een bestaand document.")})
    filename, raw = uploaded_file()
    mapping = posted_mapping(imports.FIELDS)
    if request.form.get("commit") == "true":
        with service_call(FORBIDDEN):
            stored = imports.store(db.session, signed_in(), source, filename, raw, mapping, today())
        return jsonify({"imported": len(stored), "ids": [r.id for r in stored]}), 201
    try:
        with service_call(FORBIDDEN):
            header, mapping, lines = imports.preview(db.session, signed_in(), source, filename, raw, mapping)
    except SheetError as exc:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"file": str(exc)}) from None
    db.session.rollback()  # a preview stores nothing
    return jsonify({"header": [str(h or "") for h in header], "mapping": mapping,
                    "lines": [{"line": line.line, "values": line.values, "problems": line.problems} for line in lines],
                    "ok": not any(line.problems for line in lines)})

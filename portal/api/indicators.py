"""Indicators and their measured figures."""
from __future__ import annotations

from flask import abort, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Indicator, Measurement

from ..access import current_viewer
from ..extensions import db
from ..indicators import services as indicator_services
from ..visibility import indicator_clause
from . import bp
from .helpers import _json_body, _refuse_unknown, service_call
from .schemas import ApiError


def _indicator_json(indicator) -> dict:
    def num(v):
        return None if v is None else (int(v) if v == v.to_integral_value() else float(v))
    return {"key": indicator.key, "title": indicator.title, "unit": indicator.unit, "owner": indicator.owner_organisation.code,
            "producer": indicator.producer, "visibility": indicator.visibility, "definition": indicator.definition or None,
            "direction": indicator.direction, "baseline": num(indicator.baseline_value), "baseline_year": indicator.baseline_year,
            "target": num(indicator.target_value), "target_year": indicator.target_year,
            "measurements": [{"period": m.period, "value": num(m.value), "source": m.source_text or (m.source.key if m.source else None),
                              "note": m.note} for m in indicator.measurements]}


@bp.get("/indicators")
def list_indicators():

    indicators = db.session.scalars(select(Indicator).where(indicator_clause(current_viewer())).order_by(Indicator.key).options(
        selectinload(Indicator.owner_organisation), selectinload(Indicator.measurements).selectinload(Measurement.source))).all()
    return jsonify([_indicator_json(i) for i in indicators])


@bp.post("/indicators/<key>/measurements")
def add_measurement(key: str):


    indicator = db.session.scalars(select(Indicator).where(Indicator.key == key, indicator_clause(current_viewer()))).one_or_none() or abort(404)
    body = _json_body()
    _refuse_unknown(body, {"period", "value", "source", "note"})
    value = body.get("value")
    if isinstance(value, bool) or not (value is None or isinstance(value, (int, float, str))):
        raise ApiError(422, "validation_failed", "Controleer de velden.", {"value": "Geef een getal, of null voor niet beschikbaar."})
    text = "" if value is None else (str(value).replace(".", ",") if isinstance(value, float) else str(value))
    with service_call("U mag voor deze indicator geen cijfers invoeren."):
        indicator_services.add_measurement(db.session, current_viewer(), indicator, str(body.get("period") or ""), text,
                                           str(body.get("source") or ""), str(body.get("note") or ""))
    db.session.refresh(indicator)
    response = jsonify(_indicator_json(indicator))
    response.status_code = 201
    return response

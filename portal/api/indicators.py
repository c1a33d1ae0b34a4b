"""Indicators and their measured figures."""
from __future__ import annotations

from datetime import date

from flask import abort, jsonify
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Indicator, Measurement

from ..access import get_or_404, signed_in
from ..extensions import db
from ..i18n import today
from ..indicators import bulk
from ..indicators import catalogue as indicator_catalogue
from ..indicators import services as indicator_services
from ..visibility import indicator_clause
from . import bp
from .bodies_content import Correction, Definition, Expected, IndicatorCreate, IndicatorWrite, MeasurementBody
from .helpers import _if_match, body_of, service_call, stale_body, uploaded_file, versioned
from .schemas import ApiError, api_error


def _indicator_json(indicator) -> dict:
    def num(v):
        return None if v is None else (int(v) if v == v.to_integral_value() else float(v))
    return {"key": indicator.key, "title": indicator.title, "unit": indicator.unit, "owner": indicator.owner_organisation.code,
            "producer": indicator.producer,
            "producer_organisation": indicator.producer_organisation.code if indicator.producer_organisation else None,
            "visibility": indicator.visibility, "definition": indicator.definition or None,
            "direction": indicator.direction, "baseline": num(indicator.baseline_value), "baseline_year": indicator.baseline_year,
            "target": num(indicator.target_value), "target_year": indicator.target_year,
            "focus_area": indicator.focus_area.code if indicator.focus_area else None, "frequency_months": indicator.frequency_months,
            "responsible_user_id": indicator.responsible_user_id, "version": indicator.version,
            "measurements": [{"period": m.period, "value": num(m.value), "source": m.source_text or (m.source.key if m.source else None),
                              "note": m.note, "breakdown": [{"category": p.category, "value": num(p.value)} for p in m.parts],
                              "breakdown_note": m.breakdown_note} for m in indicator.measurements]}


@bp.get("/indicators")
def list_indicators():

    indicators = db.session.scalars(select(Indicator).where(indicator_clause(signed_in())).order_by(Indicator.key).options(
        selectinload(Indicator.owner_organisation), selectinload(Indicator.producer_organisation),
        selectinload(Indicator.measurements).selectinload(Measurement.source),
        selectinload(Indicator.measurements).selectinload(Measurement.parts))).all()
    return jsonify([_indicator_json(i) for i in indicators])


def _visible(key: str) -> Indicator:
    """An indicator the caller may not see does not exist for them (404)."""
    return get_or_404(Indicator, Indicator.key == key, visible=indicator_clause)


def _indicator_response(indicator: Indicator, status: int = 200):
    db.session.refresh(indicator)
    return versioned(_indicator_json(indicator), indicator.version, status)


stale_body(Indicator, _indicator_response)


@bp.post("/indicators/<key>/measurements")
def add_measurement(key: str):
    indicator = _visible(key)
    body = body_of(MeasurementBody)
    value = body.get("value")
    with service_call(_("U mag voor deze indicator geen cijfers invoeren.")):
        indicator_services.add_measurement(db.session, signed_in(), indicator, str(body.get("period") or ""), indicator_services.figure_text(value),
                                           str(body.get("source") or ""), str(body.get("note") or ""), body.get("breakdown"),
                                           str(body.get("breakdown_note") or ""))
    return _indicator_response(indicator, 201)



@bp.post("/indicators")
def create_indicator():
    """A new indicator (coordinators); whoever creates it must be able to see it afterwards (else 422)."""
    body = body_of(IndicatorCreate)
    with service_call(_("Alleen coördinatoren maken indicatoren.")):
        indicator = indicator_catalogue.save_indicator(db.session, signed_in(), body, today())
    response = _indicator_response(indicator, 201)
    response.headers["Location"] = f"/api/v1/indicators/{indicator.key}"
    return response


@bp.patch("/indicators/<key>")
def change_indicator(key: str):
    """Describe the indicator (coordinators); who may see it and who owns it only its owner organisation decides.
    If-Match with its version is checked when given."""
    indicator = _visible(key)
    body = body_of(IndicatorWrite)
    base = _if_match(required=False)
    with service_call(_("Alleen de eigenaar van de indicator bepaalt wie hem ziet.")):
        indicator_catalogue.save_indicator(db.session, signed_in(), body, today(), indicator, base)
    return _indicator_response(indicator)


@bp.post("/indicators/<key>/definitions")
def add_definition(key: str):
    """A new version of the definition from a period on; figures before it stay under the old one (a break in the series)."""
    indicator = _visible(key)
    body = body_of(Definition)
    with service_call(_("U mag de definitie van deze indicator niet wijzigen.")):
        version = indicator_services.add_definition(db.session, signed_in(), indicator, body.get("definition", ""),
                                                    body.get("valid_from", ""), body.get("note") or "")
    return jsonify({"version": version.version, "definition": version.definition, "valid_from": version.valid_from.isoformat(),
                    "note": version.note or None}), 201


@bp.post("/indicators/<key>/expected")
def expect_figure(key: str):
    """When the figure of a period is expected; the producing organisation gets a reminder."""
    indicator = _visible(key)
    body = body_of(Expected)
    try:
        due = date.fromisoformat(body.get("due_on", ""))
    except ValueError:
        due = None
    with service_call(_("U mag voor deze indicator geen cijfers plannen.")):
        expected = indicator_services.expect_figure(db.session, signed_in(), indicator, body.get("period", ""), due)
    return jsonify({"period": expected.period, "due_on": expected.due_on.isoformat()}), 201


@bp.post("/indicators/<key>/measurements/<int:measurement_id>/corrections")
def correct_measurement(key: str, measurement_id: int):
    """Correct a figure with a reason (If-Match: the figure's version); the old value stays in its history."""
    indicator = _visible(key)
    measurement = next((m for m in indicator.measurements if m.id == measurement_id), None) or abort(404)
    body = body_of(Correction)
    base = _if_match()
    with service_call(_("U mag de cijfers van deze indicator niet corrigeren.")):
        indicator_services.correct_measurement(db.session, signed_in(), indicator, measurement, indicator_services.figure_text(body.get("value")),
                                               body.get("reason", ""), base)
    return _indicator_response(indicator, 201)


def _stale_measurement(measurement: Measurement, status: int):
    return api_error(status, "precondition_failed", "Iemand anders heeft dit cijfer intussen gewijzigd.", {"version": str(measurement.version)})


stale_body(Measurement, _stale_measurement)


@bp.post("/indicators/<key>/import")
def import_measurements(key: str):
    """Figures of one indicator from a CSV (period;value;source;note): all lines or none; 422 names every bad line."""
    indicator = _visible(key)
    _name, raw = uploaded_file()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"file": _("Het bestand is geen UTF-8-tekst (CSV).")}) from None
    with service_call(_("U mag voor deze indicator geen cijfers invoeren.")):
        count = indicator_services.import_csv(db.session, signed_in(), indicator, text)
    return jsonify({"imported": count}), 201


@bp.post("/indicators/import")
def import_many():
    """Figures for many indicators from one CSV or XLSX (indicator, period, value, source, note): all lines or none."""
    name, raw = uploaded_file()
    with service_call(_("U mag geen cijfers importeren.")):
        count = bulk.store(db.session, signed_in(), name, raw)
    return jsonify({"imported": count}), 201

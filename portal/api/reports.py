"""Frozen reports: list, create as of a date, read, export."""
from __future__ import annotations

from datetime import date

from flask import abort, jsonify, request, url_for
from sqlalchemy import select

from models import Report

from ..access import current_viewer
from ..downloads import attachment
from ..extensions import counts_as_download, db
from ..i18n import today
from ..reports import exports as report_exports
from ..reports import services as report_services
from ..reports import snapshot as snap
from . import bp
from .helpers import _json_body, _refuse_unknown, service_call
from .schemas import ApiError


def _report_json(report, full: bool) -> dict:

    out = {"id": report.id, "title": report.title, "as_of": report.as_of.isoformat(), "created_at": report.created_at.isoformat(),
           "created_by": report.created_by_id, "previous_report_id": report.previous_report_id}
    if full:
        rows = report_services.visible_rows(db.session, report, current_viewer())
        summary = snap.summarise(report.snapshot, rows, current_viewer())
        out["summary"] = {"total": summary["total"], "counts": summary["counts"], "overdue": summary["overdue"],
                          "focus_areas": [{k: v for k, v in a.items() if k != "items"} for a in summary["focus_areas"]],
                          "organisations": summary["organisations"],
                          "recommendations": [{"id": r["id"], "state": r["state"], "item_ids": r["item_ids"]} for r in summary["recommendations"]],
                          "indicators": [{"key": i["key"], "latest": i["latest"], "previous": i["previous"]} for i in summary["indicators"]]}
        framework = report.snapshot.get("framework") or {}
        out["framework"] = {"id": framework.get("id"), "key": framework.get("key"), "title": framework.get("title")} if framework else None
        out["summary"]["targets"] = [{"focus_area": a["code"], "commitment_id": c["id"], **{k: t[k] for k in ("period", "value", "unit", "direction",
                                      "indicator", "figure", "figure_period", "assessment")}}
                                     for a in summary["focus_areas"] for c in a["commitments"] for t in c.get("targets", [])]
        out["summary"]["parliament"] = summary["parliament"]
        out["items"] = [{k: v for k, v in r.items() if k not in ("shared_with", "commitment_weight")} for r in rows]
    return out


@bp.get("/reports")
def list_reports():

    return jsonify([_report_json(r, False) for r in db.session.scalars(select(Report).order_by(Report.as_of.desc(), Report.id.desc()))])


@bp.post("/reports")
def create_report():

    body = _json_body()
    _refuse_unknown(body, {"as_of", "title", "previous_report_id", "framework_id"})
    try:
        as_of = date.fromisoformat(body["as_of"]) if isinstance(body.get("as_of"), str) else None
    except ValueError:
        as_of = None
    previous = body.get("previous_report_id")
    if previous is not None and (not isinstance(previous, int) or isinstance(previous, bool)):
        raise ApiError(422, "validation_failed", "Controleer de velden.", {"previous_report_id": "Geef het nummer van een rapportage."})
    framework_id = body.get("framework_id")
    if framework_id is not None and (not isinstance(framework_id, int) or isinstance(framework_id, bool) or not 0 < framework_id < 2**31):
        raise ApiError(422, "validation_failed", "Controleer de velden.", {"framework_id": "Geef het nummer van een beleidskader."})
    with service_call("Alleen coördinatoren maken rapportages."):
        report = report_services.create_report(db.session, current_viewer(), body.get("title") or "", as_of, today(), previous, framework_id)
    report_services.warm_view(db.session, report, current_viewer())  # ready before the author opens it
    response = jsonify(_report_json(report, True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_report", report_id=report.id)
    return response


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int):

    report = db.session.get(Report, report_id) or abort(404)
    return jsonify(_report_json(report, True))


@bp.get("/reports/<int:report_id>/export.<fmt>")
@counts_as_download
def export_report(report_id: int, fmt: str):

    report = db.session.get(Report, report_id) or abort(404)
    if fmt not in report_exports.FORMATS:
        abort(404)
    body, mimetype, name = report_services.export_report(db.session, current_viewer(), report, fmt, request.args.get("audience") == "public")
    db.session.commit()
    return attachment(body, mimetype, name)

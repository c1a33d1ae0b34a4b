"""Frozen reports: list, create as of a date, read, export."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from models import Report, ReportNarrative, UpdateRound

from ..access import get_or_404, signed_in
from ..downloads import attachment
from ..errors import NotFound
from ..extensions import counts_as_download, db
from ..i18n import today
from ..reports import exports as report_exports
from ..reports import letter, letters, rounds
from ..reports import services as report_services
from ..reports import snapshot as snap
from . import bp
from .bodies import DB_ID
from .bodies_content import Narrative, ReportCreate, Round, Sent
from .helpers import _if_match, body_of, service_call, stale_body
from .schemas import ApiError


def _report_json(report, full: bool) -> dict:
    out = {"id": report.id, "title": report.title, "as_of": report.as_of.isoformat(), "created_at": report.created_at.isoformat(),
           "created_by": report.created_by_id, "previous_report_id": report.previous_report_id, "sent_source_id": report.sent_source_id}
    if full:
        viewer = signed_in()
        rows = report_services.visible_rows(db.session, report, viewer)
        framework = report.snapshot.get("framework") or {}
        out["framework"] = {"id": framework.get("id"), "key": framework.get("key"), "title": framework.get("title")} if framework else None
        out["summary"] = _summary_json(snap.summarise(report.snapshot, rows, viewer))
        out["items"] = [{k: v for k, v in r.items() if k not in ("shared_with", "commitment_weight")} for r in rows]
    return out


TARGET_KEYS = ("period", "value", "unit", "direction", "indicator", "figure", "figure_period", "assessment")


def _summary_json(summary: dict) -> dict:
    """A report's figures as the API gives them: the rows behind each stay out, their ids stay in."""
    return {"total": summary["total"], "counts": summary["counts"], "overdue": summary["overdue"],
            "focus_areas": [{k: v for k, v in a.items() if k != "items"} for a in summary["focus_areas"]],
            "organisations": summary["organisations"],
            "recommendations": [{"id": r["id"], "state": r["state"], "item_ids": r["item_ids"]} for r in summary["recommendations"]],
            "indicators": [{"key": i["key"], "latest": i["latest"], "previous": i["previous"]} for i in summary["indicators"]],
            "targets": [{"focus_area": a["code"], "commitment_id": c["id"], **{k: t[k] for k in TARGET_KEYS}}
                        for a in summary["focus_areas"] for c in a["commitments"] for t in c.get("targets", [])],
            "parliament": summary["parliament"]}


@bp.get("/reports")
def list_reports():

    return jsonify([_report_json(r, False) for r in db.session.scalars(select(Report).order_by(Report.as_of.desc(), Report.id.desc()))])


@bp.post("/reports")
def create_report():

    body = body_of(ReportCreate)
    try:
        as_of = date.fromisoformat(body.get("as_of") or "")
    except ValueError:
        as_of = None
    previous, framework_id = body.get("previous_report_id"), body.get("framework_id")
    if framework_id is not None and not 1 <= framework_id <= DB_ID:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"framework_id": _("Geef het nummer van een beleidskader.")})
    with service_call(_("Alleen coördinatoren maken rapportages.")):
        report = report_services.create_report(db.session, signed_in(), body.get("title") or "", as_of, today(), previous, framework_id)
    report_services.warm_view(db.session, report, signed_in())  # ready before the author opens it
    response = jsonify(_report_json(report, True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_report", report_id=report.id)
    return response


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int):

    report = get_or_404(Report, report_id)
    return jsonify(_report_json(report, True))


@bp.get("/reports/<int:report_id>/export.<fmt>")
@counts_as_download
def export_report(report_id: int, fmt: str):

    report = get_or_404(Report, report_id)
    if fmt not in report_exports.FORMATS:
        abort(404)
    with service_call(_("U mag dit verslag niet downloaden.")):
        body, mimetype, name = report_services.export_report(db.session, signed_in(), report, fmt, request.args.get("audience") == "public")
    return attachment(body, mimetype, name)


@bp.get("/reports/<int:report_id>/letter.docx")
@counts_as_download
def report_letter(report_id: int):
    """The covering Kamerbrief (coordinators); query: kenmerk, onderwerp, mede_namens, ondertekenaar, naam."""
    report = get_or_404(Report, report_id)
    with service_call(_("Alleen coördinatoren maken de brief.")):
        body, mimetype, name = report_services.export_letter(db.session, signed_in(), report, letter.letter_fields(request.args), today())
    return attachment(body, mimetype, name)


@bp.post("/reports/<int:report_id>/sent")
def mark_sent(report_id: int):
    """The letter this report was the annex of has gone to Parliament: registered as a source (kamerbrief); the toezeggingen
    it answers take their status with the letter named. Once per report (409 after)."""
    report = get_or_404(Report, report_id)
    body = body_of(Sent)
    try:
        with service_call(_("Alleen coördinatoren leggen vast dat een brief is verstuurd.")):
            letter = letters.mark_sent(db.session, signed_in(), report, body, today())
    except letters.AlreadySent:
        db.session.rollback()
        raise ApiError(409, "already_sent", _("Deze rapportage is al verstuurd.")) from None
    response = jsonify({**_report_json(report, False), "source_id": letter.id})
    response.status_code = 201
    return response


def _narrative_json(n: ReportNarrative) -> dict:
    return {"id": n.id, "report_id": n.report_id, "focus_area": n.focus_area.code, "organisation": n.organisation.code,
            "text": n.text, "visibility": n.visibility, "status": n.status, "version": n.version}


@bp.post("/reports/<int:report_id>/narratives")
def add_narrative(report_id: int):
    """An organisation's own text for a focus area of the report (rule 3: only that organisation writes it); changing an
    existing text needs If-Match with its version. A coordinator approves it before it goes into the annex."""
    report = get_or_404(Report, report_id)
    body = body_of(Narrative)
    with service_call(_("Alleen de eigen organisatie schrijft haar toelichting.")):
        narrative = report_services.save_narrative(db.session, signed_in(), report, body.get("focus_area", ""), body.get("text", ""),
                                                   body.get("visibility", "mdt"), body.get("organisation"), _if_match(required=False))
    return _narrative_response(narrative, 201 if narrative.version == 1 else 200)


@bp.post("/reports/<int:report_id>/narratives/<int:narrative_id>/approve")
def approve_narrative(report_id: int, narrative_id: int):
    try:
        narrative = report_services.readable_narrative(db.session, report_id, narrative_id, signed_in())
    except NotFound:
        abort(404)
    with service_call(_("Alleen coördinatoren keuren toelichtingen goed.")):
        report_services.approve_narrative(db.session, signed_in(), narrative, _if_match(required=False))
    return _narrative_response(narrative)


def _narrative_response(narrative: ReportNarrative, status: int = 200):
    response = jsonify(_narrative_json(narrative))
    response.status_code = status
    response.headers["ETag"] = f'"{narrative.version}"'
    return response


stale_body(ReportNarrative, _narrative_response)


def _round_json(r: UpdateRound, with_overview: bool = False) -> dict:
    out = {"id": r.id, "title": r.title, "message": r.message, "opened_on": r.opened_on.isoformat(), "deadline": r.deadline.isoformat(),
           "closed_at": r.closed_at.isoformat() if r.closed_at else None}
    if with_overview:
        out["organisations"] = rounds.overview(db.session, signed_in(), r)  # counted over what the caller may see
    return out


@bp.get("/update-rounds")
def list_rounds():
    return jsonify([_round_json(r) for r in db.session.scalars(select(UpdateRound).order_by(UpdateRound.opened_on.desc(), UpdateRound.id.desc()))])


@bp.get("/update-rounds/<int:round_id>")
def get_round(round_id: int):
    return jsonify(_round_json(get_or_404(UpdateRound, round_id), with_overview=True))


@bp.post("/update-rounds")
def open_round():
    """Ask every organisation to bring its open items up to date by the deadline (coordinators); announced by e-mail."""
    body = body_of(Round)
    try:
        deadline = date.fromisoformat(body.get("deadline", ""))
    except ValueError:
        deadline = None
    with service_call(_("Alleen coördinatoren openen een ronde.")):
        update_round = report_services.open_round(db.session, signed_in(), body.get("title", ""), body.get("message") or "", deadline, today())
    settings = current_app.config["PORTAL_SETTINGS"]
    rounds.announce(db.session, update_round, settings.smtp_url, settings.base_url)
    return jsonify(_round_json(update_round, with_overview=True)), 201


@bp.post("/update-rounds/<int:round_id>/close")
def close_round(round_id: int):
    update_round = get_or_404(UpdateRound, round_id)
    with service_call(_("Alleen coördinatoren sluiten een ronde.")):
        report_services.close_round(db.session, signed_in(), update_round)
    return jsonify(_round_json(update_round, with_overview=True))

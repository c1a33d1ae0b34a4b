"""Reports: create as of a peildatum, preview, compare, agency narratives, exports, update rounds."""
from __future__ import annotations

import builtins  # this module's view "list" shadows the built-in in annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from models import STATUSES, Report, ReportNarrative, Source, UpdateRound

from .. import audience
from ..access import get_or_404, signed_in
from ..charts import status_bars
from ..downloads import attachment
from ..errors import NotFound, ValidationFailed, VersionConflict
from ..extensions import counts_as_download, db
from ..formtools import apply_errors, form_version
from ..framework import goals, parliament
from ..framework import queries as framework_queries
from ..framework.state import RESPONSE_TEXT, STATE_TEXT
from ..i18n import today
from ..inputs import bounded_int
from ..writes import transaction
from . import bp, exports, letter, letters, rounds, services
from .forms import NarrativeForm, PlainForm, ReportForm, RoundForm
from .permissions import can_manage_reports


def _report_form(form: ReportForm | None = None) -> ReportForm:
    form = form or ReportForm(formdata=None)
    reports = db.session.scalars(select(Report).order_by(Report.as_of.desc())).all()
    form.previous_report_id.choices = [SelectChoice(None, "—")] + [SelectChoice(r.id, f"{r.title} ({r.as_of.isoformat()})") for r in reports]
    frameworks = framework_queries.all_frameworks(db.session)
    current = framework_queries.choose(frameworks, today())
    form.framework_id.choices = [SelectChoice(f.id, f.title + (" (nu van kracht)" if current and f.id == current.id else "")) for f in frameworks]
    if form.framework_id.data is None and current is not None:
        form.framework_id.data = current.id
    return form


@bp.get("")
def list():
    reports = db.session.scalars(select(Report).order_by(Report.as_of.desc(), Report.id.desc())
                                 .options(selectinload(Report.created_by))).all()
    return render_template("reports/list.html", reports=reports, form=_report_form(), extra_errors={},
                           current_round=rounds.current(db.session, today()))


@bp.post("")
def create():
    viewer = signed_in()
    if not can_manage_reports(viewer):
        abort(403)
    form = _report_form(ReportForm())
    extra = {}
    if form.validate_on_submit():
        try:
            with transaction():
                report = services.create_report(db.session, viewer, form.title.data, form.as_of.data, today(),
                                                form.previous_report_id.data, form.framework_id.data)
            services.warm_view(db.session, report, viewer)  # ready before the author opens it
            flash(_("De rapportage is gemaakt en vastgelegd."), "success")
            return redirect(url_for("reports.detail", report_id=report.id))
        except ValidationFailed as exc:
            extra = apply_errors(form, exc.fields)
    reports = db.session.scalars(select(Report).order_by(Report.as_of.desc())).all()
    return render_template("reports/list.html", reports=reports, form=form, extra_errors=extra,
                           current_round=rounds.current(db.session, today())), 422


def _narratives(report: Report) -> builtins.list[ReportNarrative]:
    return services.readable_narratives(db.session, report, signed_in())


def _load(report_id: int) -> Report:
    return get_or_404(Report, report_id)


@bp.get("/<int:report_id>")
def detail(report_id: int, narrative_form: NarrativeForm | None = None, status: int = 200):
    viewer = signed_in()
    report = _load(report_id)
    compare_id = request.args.get("compare", type=int) or report.previous_report_id
    other = db.session.get(Report, compare_id) if compare_id and compare_id != report.id else None
    view = services.view_for(db.session, report, other, viewer)
    summary, changes = view["summary"], view["changes"]
    narrative_form = narrative_form or NarrativeForm(formdata=None)
    narrative_form.focus_area.choices = [SelectChoice(code, f"{code} {title}") for code, title in view["focus_areas"]]
    all_reports = db.session.scalars(select(Report).where(Report.id != report.id).order_by(Report.as_of.desc())).all()
    chart = status_bars([(a["code"], a["counts"]) for a in summary["focus_areas"] if a["total"]], _("Acties per speerpunt naar status"))
    narratives = _narratives(report)
    return render_template("reports/detail.html", report=report, summary=summary, other=other,
                           changes=changes, all_reports=all_reports, narratives=narratives,
                           own_narratives={n.id for n in narratives if audience.may_decide(viewer, n)},
                           narrative_form=narrative_form, plain_form=PlainForm(formdata=None), chart=chart,
                           state_text=STATE_TEXT, response_text=RESPONSE_TEXT, statuses=STATUSES,
                           assessments=goals.ASSESSMENTS, directions=goals.DIRECTION_TEXT, can_manage=can_manage_reports(viewer),
                           letter_source=db.session.get(Source, report.sent_source_id) if report.sent_source_id else None,
                           still_open=[p for p in parliament.register(db.session) if p.status in parliament.STILL_OPEN],
                           default_signer=letter.DEFAULT_SIGNER, today_date=today()), status


@bp.get("/<int:report_id>/rows")
def rows(report_id: int):
    """The frozen rows behind a figure of the report (per focus area, organisation, status, late), as of its
    peildatum and only those the viewer may see (rule 7): the drill-down that makes every figure reproducible."""
    report = _load(report_id)
    args = {k: request.args.get(k, "") for k in ("focus_area", "organisation", "status")}
    late = request.args.get("overdue") in ("true", "1")
    shown = [r for r in services.visible_rows(db.session, report, signed_in())
             if (not args["focus_area"] or r["focus_area"] == args["focus_area"])
             and (not args["organisation"] or r["owner"] == args["organisation"])
             and (not args["status"] or r["status"] == args["status"]) and (not late or r["overdue"])]
    return render_template("reports/rows.html", report=report, rows=shown, filters={**args, "overdue": late})


@bp.post("/<int:report_id>/narratives")
def narrative(report_id: int):
    viewer = signed_in()
    report = _load(report_id)
    form = NarrativeForm()
    form.focus_area.choices = [SelectChoice(code, code) for code, _title in services.view_for(db.session, report, None, viewer)["focus_areas"]]
    if not form.validate():
        return detail(report_id, narrative_form=form, status=422)
    try:
        with transaction():
            services.save_narrative(db.session, viewer, report, form.focus_area.data, form.text.data, form.visibility.data,
                                    base_version=form_version())
    except VersionConflict:
        flash(_("Iemand anders heeft deze toelichting intussen gewijzigd of goedgekeurd. Bekijk de nieuwe versie en "
                "pas die zo nodig opnieuw aan."), "error")
        return detail(report_id, narrative_form=form, status=409)
    except ValidationFailed as exc:
        apply_errors(form, exc.fields)
        return detail(report_id, narrative_form=form, status=422)
    flash(_("De toelichting is opgeslagen. Een coördinator keurt hem goed."), "success")
    return redirect(url_for("reports.detail", report_id=report.id) + "#toelichtingen")


@bp.post("/<int:report_id>/narratives/<int:narrative_id>/approve")
def approve(report_id: int, narrative_id: int):
    viewer = signed_in()
    _load(report_id)
    try:
        item = services.readable_narrative(db.session, report_id, narrative_id, viewer)
    except NotFound:
        abort(404)
    if not PlainForm().validate():
        abort(400)
    try:
        with transaction():
            services.approve_narrative(db.session, viewer, item, form_version())
    except VersionConflict:
        flash(_("Deze toelichting is intussen gewijzigd. Lees de nieuwe tekst voordat u hem goedkeurt."), "error")
        return redirect(url_for("reports.detail", report_id=report_id) + "#toelichtingen")
    flash(_("De toelichting is goedgekeurd."), "success")
    return redirect(url_for("reports.detail", report_id=report_id) + "#toelichtingen")


@bp.get("/<int:report_id>/export.<fmt>")
@counts_as_download
def export(report_id: int, fmt: str):
    return download(_load(report_id), fmt, request.args.get("audience") == "public")


@bp.post("/<int:report_id>/sent")
def sent(report_id: int):
    """The letter went to Parliament: registered as a source, the toezeggingen ticked take the status chosen."""
    report = _load(report_id)
    answers = []
    for raw in request.form.getlist("answer"):
        status = request.form.get(f"status-{raw}", "fulfilled")
        parliament_id = bounded_int(raw)
        if parliament_id is not None:
            answers.append({"parliament_id": parliament_id, "status": status})
    data = {"sent_on": request.form.get("sent_on"), "reference": request.form.get("reference"), "kamerstuk": request.form.get("kamerstuk"),
            "answers": answers}
    try:
        with transaction():
            letters.mark_sent(db.session, signed_in(), report, data, today())
    except letters.AlreadySent:
        db.session.rollback()
        flash(_("Deze rapportage is al verstuurd."), "error")
        return redirect(url_for("reports.detail", report_id=report_id) + "#verzenden"), 303
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return redirect(url_for("reports.detail", report_id=report_id) + "#verzenden"), 303
    flash(_("De brief is vastgelegd als verstuurd; de beantwoorde toezeggingen zijn bijgewerkt."), "success")
    return redirect(url_for("reports.detail", report_id=report_id) + "#verzenden"), 303


@bp.get("/<int:report_id>/letter.docx")
@counts_as_download
def letter_docx(report_id: int):
    """The covering letter (coordinators), with the kenmerk, onderwerp, mede namens and signer filled in on the report page."""
    return download_letter(_load(report_id))


def download_letter(report: Report) -> Response:
    with transaction():
        body, mimetype, name = services.export_letter(db.session, signed_in(), report, letter.letter_fields(request.args), today())
    return attachment(body, mimetype, name)


def download(report: Report, fmt: str, public: bool) -> Response:
    """The report as a file (page and API alike): DOCX, PDF or XLSX, internal or for publication."""
    if fmt not in exports.FORMATS:
        abort(404)
    with transaction():
        body, mimetype, name = services.export_report(db.session, signed_in(), report, fmt, public)
    return attachment(body, mimetype, name)


@bp.route("/rounds", methods=["GET", "POST"])
def rounds_list():
    viewer = signed_in()
    form = RoundForm()
    extra = {}
    status = 200
    if request.method == "POST":
        if not can_manage_reports(viewer):
            abort(403)
        status = 422
        if form.validate_on_submit():
            try:
                with transaction():
                    update_round = services.open_round(db.session, viewer, form.title.data, form.message.data, form.deadline.data, today())
                settings = current_app.config["PORTAL_SETTINGS"]
                sent = rounds.announce(db.session, update_round, settings.smtp_url, settings.base_url)
                flash(ngettext("De ronde is geopend; %(num)d persoon is per e-mail gevraagd bij te werken.",
                               "De ronde is geopend; %(num)d personen zijn per e-mail gevraagd bij te werken.", sent), "success")
                return redirect(url_for("reports.round_detail", round_id=update_round.id))
            except ValidationFailed as exc:
                extra = apply_errors(form, exc.fields)
    all_rounds = db.session.scalars(select(UpdateRound).order_by(UpdateRound.opened_on.desc(), UpdateRound.id.desc())).all()
    return render_template("reports/rounds.html", rounds=all_rounds, form=form, extra_errors=extra), status


@bp.get("/rounds/<int:round_id>")
def round_detail(round_id: int):
    update_round = get_or_404(UpdateRound, round_id)
    return render_template("reports/round.html", update_round=update_round, plain_form=PlainForm(formdata=None),
                           rows=rounds.overview(db.session, signed_in(), update_round))


@bp.post("/rounds/<int:round_id>/close")
def round_close(round_id: int):
    viewer = signed_in()
    update_round = get_or_404(UpdateRound, round_id)
    if not PlainForm().validate():
        abort(400)
    with transaction():
        services.close_round(db.session, viewer, update_round)
    flash(_("De ronde is gesloten."), "success")
    return redirect(url_for("reports.round_detail", round_id=round_id))

"""The framework: focus areas with commitments, recommendations and live progress roll-ups (what the viewer may see)."""
from __future__ import annotations

from datetime import date
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from models import STATUSES, Commitment, Indicator, Organisation

from .. import focus_areas
from ..access import get_or_404, signed_in
from ..charts import status_bars
from ..errors import ValidationFailed, VersionConflict
from ..extensions import db
from ..formtools import apply_errors, form_version, ids_prefixed
from ..i18n import today
from ..inputs import bounded_int
from ..visibility import can_view_indicator
from ..writes import transaction
from . import bp, content, frameworks, goals, queries, rollup
from .forms import CommitmentForm, TargetForm
from .permissions import can_weigh
from .state import RESPONSE_TEXT, STATE_TEXT

EMPTY = {"counts": rollup._empty(), "by_organisation": {}, "total": 0, "overdue": 0, "share_done": None, "average_progress": None}


def _chosen_framework():
    """?framework=<id> (a bounded whole number; anything else is the default): the framework in force today by default.
    Returns (chosen, in force today, every framework)."""
    raw = request.args.get("framework", "")
    framework_id = bounded_int(raw)
    frameworks = queries.all_frameworks(db.session)
    fw = queries.choose(frameworks, today(), framework_id)
    if framework_id is not None and fw is None:
        abort(404)
    return fw, queries.choose(frameworks, today()), frameworks


def _targets_by_commitment(fw, viewer) -> dict:
    ids = [c.id for a in (fw.focus_areas if fw else []) for c in a.commitments]
    return goals.standings(db.session, ids, today(), lambda indicator: can_view_indicator(viewer, indicator))


@bp.get("/framework")
def overview():
    viewer = signed_in()
    fw, current, frameworks = _chosen_framework()
    totals = rollup.summary(db.session, viewer, today())
    areas = [(area, totals["areas"].get(area.id, EMPTY)) for area in (fw.focus_areas if fw else [])]
    recs_by_area: dict[str, list] = {}
    for rec in rollup.recommendations(db.session, signed_in()):
        for code in rec["focus_areas"]:
            recs_by_area.setdefault(code, []).append(rec)
    chart = status_bars([(area.code, live["counts"]) for area, live in areas if live["total"]], _("Acties per speerpunt naar status"))
    area_ids = {area.id for area, _ in areas}
    in_framework = {"total": sum(live["total"] for area, live in areas), "overdue": sum(live["overdue"] for area, live in areas),
                    "done": sum(live["counts"]["done"] for area, live in areas)}
    return render_template("framework/overview.html", framework=fw, areas=areas, totals=totals, recs_by_area=recs_by_area,
                           chart=chart, state_text=STATE_TEXT, frameworks=frameworks,
                           in_force=current, in_framework=in_framework, area_ids=area_ids,
                           targets=_targets_by_commitment(fw, viewer), assessments=goals.ASSESSMENTS, directions=goals.DIRECTION_TEXT,
                           capacity=queries.capacity(db.session), can_weigh=can_weigh(viewer))


@bp.get("/framework/<code>")
def focus_area(code: str):
    viewer = signed_in()
    fw, _current, _all = _chosen_framework()
    area = next((a for a in (fw.focus_areas if fw else []) if a.code == code), None)
    if area is None:  # a focus area of another framework, by its (distinct) code
        area = focus_areas.of_any_framework(db.session, code) or abort(404)
        fw = area.framework
    live = rollup.summary(db.session, viewer, today(), area.id)["areas"].get(area.id, EMPTY)
    recs = [r for r in rollup.recommendations(db.session, viewer) if code in r["focus_areas"]]
    per_org = list(live["by_organisation"].items())
    chart = status_bars(per_org, _("Acties bij speerpunt %(code)s per organisatie naar status", code=code)) if per_org else None
    return render_template("framework/focus_area.html", area=area, live=live, recs=recs, chart=chart, per_org=per_org,
                           items=rollup.area_items(db.session, viewer, area.id, today()),
                           state_text=STATE_TEXT, response_text=RESPONSE_TEXT, can_weigh=can_weigh(viewer),
                           statuses=STATUSES, framework=fw, targets=_targets_by_commitment(fw, viewer), assessments=goals.ASSESSMENTS,
                           directions=goals.DIRECTION_TEXT)


@bp.get("/framework/commitments/<int:commitment_id>")
def commitment(commitment_id: int):
    """A commitment: its targets in force as of a date (default today), figure against target, and every decision about them."""
    return _commitment_page(get_or_404(Commitment, commitment_id), _as_of())


def _commitment_page(item: Commitment, as_of: date, values: dict | None = None, errors: dict | None = None, status: int = 200,
                     edit_form: CommitmentForm | None = None, edit_errors: dict | None = None):
    viewer = signed_in()
    decisions = goals.history(db.session, item.id)
    rows = goals.standings(db.session, [item.id], as_of, lambda indicator: can_view_indicator(viewer, indicator), decisions).get(item.id, [])
    history = [t for t in decisions if t.indicator is None or can_view_indicator(viewer, t.indicator)]
    indicators = [i for i in queries.commitment_indicators(db.session, item.id) if can_view_indicator(viewer, i)]
    form, extra, edit_extra = None, {}, {}
    if can_weigh(viewer):  # both forms are the coordinators' only
        form = _target_form(viewer, values)
        extra = apply_errors(form, errors or {})
        edit_form = ids_prefixed(edit_form or CommitmentForm(formdata=None, data={
            "version": item.version, "text": item.text, "note": item.note or "", "retired": item.retired_on is not None}),
            "afspraak")  # the target form on the page has a note and a reason too
        edit_extra = apply_errors(edit_form, edit_errors or {})
    return render_template("framework/commitment.html", commitment=item, area=item.focus_area, standings=rows, history=history,
                           edit_form=edit_form, edit_extra_errors=edit_extra,
                           as_of=as_of, indicators=indicators, assessments=goals.ASSESSMENTS, directions=goals.DIRECTION_TEXT,
                           can_set=can_weigh(viewer), carried=queries.carryovers(db.session, item.id), form=form, extra_errors=extra), status


def _target_form(viewer, values: dict | None) -> TargetForm:
    """A target's form with the indicators the viewer may see, the organisations taking part and the sources."""
    form = TargetForm(formdata=None, data=values or {"valid_from": today().isoformat()})
    visible = [i for i in db.session.scalars(select(Indicator).order_by(Indicator.title)) if can_view_indicator(viewer, i)]
    form.indicator.choices = [SelectChoice("", _("geen"))] + [SelectChoice(i.key, i.title) for i in visible]
    organisations = db.session.scalars(select(Organisation).where(Organisation.taking_part()).order_by(Organisation.code))
    form.organisation.choices = [SelectChoice("", _("geen"))] + [SelectChoice(o.code, o.name) for o in organisations]
    form.source.choices = [SelectChoice("", _("geen"))] + [SelectChoice(s.key, s.title) for s in content.sources(db.session, False)]
    return form


def _as_of():
    raw = request.args.get("as_of", "")
    try:
        return date.fromisoformat(raw) if raw else today()
    except ValueError:
        abort(400)


@bp.post("/framework/commitments/<int:commitment_id>/targets")
def set_target(commitment_id: int):
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    item = get_or_404(Commitment, commitment_id)
    try:
        with transaction():
            goals.set_target(db.session, viewer, item, request.form.to_dict(), today())
    except ValidationFailed as exc:
        return _commitment_page(get_or_404(Commitment, commitment_id), today(), request.form.to_dict(), exc.fields, 422)
    flash(_("Het doel is vastgelegd."), "success")
    return redirect(url_for("framework.commitment", commitment_id=item.id)), 303


@bp.post("/framework/commitments/<int:commitment_id>")
def save_commitment(commitment_id: int):
    """Correct or retire a commitment (coordinators), with the version the form was based on."""
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    item = get_or_404(Commitment, commitment_id)
    data = {"text": request.form.get("text"), "note": request.form.get("note"), "retired": "retired" in request.form,
            "reason": request.form.get("reason")}
    try:
        with transaction():
            content.save_commitment(db.session, viewer, item.focus_area, data, today(), item, form_version())
    except ValidationFailed as exc:
        return _commitment_page(get_or_404(Commitment, commitment_id), today(), status=422, edit_form=CommitmentForm(), edit_errors=exc.fields)
    except VersionConflict:
        flash(_("Iemand anders heeft deze afspraak intussen gewijzigd. Hieronder staat de nieuwe versie; controleer die en sla opnieuw op."), "error")
        return _commitment_page(get_or_404(Commitment, commitment_id), today(), status=409)
    flash(_("De afspraak is opgeslagen."), "success")
    return redirect(url_for("framework.commitment", commitment_id=commitment_id)), 303


@bp.post("/framework/<code>/commitments")
def add_commitment(code: str):
    """A new commitment as the focus area's next (coordinators)."""
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    area = focus_areas.by_code(db.session, code) or abort(404)
    try:
        with transaction():
            added = content.save_commitment(db.session, viewer, area, {"text": request.form.get("text"), "note": request.form.get("note")},
                                            today())
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return redirect(url_for("framework.focus_area", code=code) + "#afspraak-toevoegen"), 303
    flash(_("Afspraak %(code)s is toegevoegd.", code=f"{area.code}.{added.position}"), "success")
    return redirect(url_for("framework.commitment", commitment_id=added.id)), 303


@bp.post("/framework/<code>/weights")
def weights(code: str):
    """Coordinators weigh commitments in the roll-up (equal weights unless set)."""
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    area = focus_areas.by_code(db.session, code) or abort(404)
    posted = {c.id: request.form.get(f"weight-{c.id}") or "" for c in area.commitments}
    try:
        with transaction():
            changes = frameworks.set_weights(db.session, viewer, area, posted)
    except ValidationFailed as exc:
        flash(exc.fields["weights"], "error")
        return redirect(url_for("framework.focus_area", code=code))
    if changes:
        flash(_("De gewichten zijn opgeslagen."), "success")
    return redirect(url_for("framework.focus_area", code=code))


@bp.get("/recommendations")
def recommendations():
    recs = sorted(rollup.recommendations(db.session, signed_in()), key=lambda r: (-(r["source_year"] or 0), r["source"], r["number"]))
    groups = [(key, list(items)) for key, items in groupby(recs, key=lambda r: (r["source"], r["source_title"], r["source_year"], r["source_date"]))]
    return render_template("framework/recommendations.html", groups=groups, total=len(recs), state_text=STATE_TEXT,
                           response_text=RESPONSE_TEXT, can_weigh=can_weigh(signed_in()))


@bp.route("/framework/new", methods=["GET", "POST"])
def new_framework():
    """A coordinator adds the next framework and chooses which commitments of the one in force carry over."""
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    earlier = rollup.framework(db.session, today())
    errors, values = {}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        chosen = {n for v in request.form.getlist("carry") if (n := bounded_int(v)) is not None}
        try:
            with transaction():
                created = frameworks.create(db.session, viewer, values, earlier, chosen)
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            flash(_("Het beleidskader is aangemaakt."), "success")
            return redirect(url_for("framework.overview", framework=created.id)), 303
    return render_template("framework/new.html", earlier=earlier, errors=errors, values=values,
                           carried={n for v in request.form.getlist("carry") if (n := bounded_int(v)) is not None} if request.method == "POST" else None), \
        422 if errors else 200

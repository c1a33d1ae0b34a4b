"""Indicator pages: definition, figures, chart, entry form and CSV import with a preview."""
from __future__ import annotations

import base64
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired

from models import Indicator, Measurement, Target

from .. import limits
from ..access import get_or_404, signed_in
from ..charts import line_chart
from ..errors import ValidationFailed, VersionConflict
from ..extensions import db
from ..formtools import apply_errors, at_most, ids_prefixed
from ..i18n import today
from ..inputs import bounded_int
from ..periods import period_kind
from ..sheets import MAX_BYTES, SheetError
from ..visibility import indicator_clause
from ..writes import transaction
from . import bp, bulk, services
from .permissions import can_enter, can_import, can_restrict, can_view


class MeasurementForm(FlaskForm):
    period = StringField(_l("Periode"), validators=[DataRequired(_l("Dit veld is verplicht."))])
    value = StringField(_l("Waarde"))
    source_text = StringField(_l("Bron"), validators=[at_most(limits.SOURCE_TEXT)])
    note = TextAreaField(_l("Toelichting"), validators=[at_most(limits.REASON)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV-bestand"))
    content = TextAreaField(_l("Of plak de regels hier"))


class CorrectionForm(FlaskForm):
    version = HiddenField()
    value = StringField(_l("Juiste waarde"))
    reason = TextAreaField(_l("Reden van de correctie"))


class DefinitionForm(FlaskForm):
    definition = TextAreaField(_l("Nieuwe definitie"))
    valid_from = StringField(_l("Geldt voor cijfers vanaf"))
    note = TextAreaField(_l("Wat verandert er (breuk in de reeks)"))


class ExpectedForm(FlaskForm):
    period = StringField(_l("Periode van het cijfer"))
    due_on = StringField(_l("Verwacht uiterlijk op"))


class BulkForm(FlaskForm):
    file = FileField(_l("CSV- of Excel-bestand"))


def _load(key: str) -> Indicator:
    """An indicator the viewer may not see does not exist for them (404, like items)."""
    return get_or_404(Indicator, Indicator.key == key, visible=indicator_clause, options=(
        selectinload(Indicator.measurements).joinedload(Measurement.source), selectinload(Indicator.measurements).selectinload(Measurement.parts),
        joinedload(Indicator.owner_organisation), joinedload(Indicator.producer_organisation), joinedload(Indicator.source)))


@bp.get("")
def list():
    indicators = db.session.scalars(select(Indicator).where(indicator_clause(signed_in())).order_by(Indicator.title)
                                    .options(selectinload(Indicator.measurements), selectinload(Indicator.owner_organisation))).all()
    viewer = signed_in()
    return render_template("indicators/list.html", indicators=indicators, can_import=can_import(viewer),
                           can_create=viewer is not None and viewer.role == "coordinator")


def _detail(indicator: Indicator, form=None, import_form=None, preview=None, extra=None, status=200, forms=None):
    viewer = signed_in()
    versions = services.definitions(db.session, indicator)
    breaks = services.breaks(versions, indicator.measurements)
    # One line joins periods of one kind: the chart follows the latest figure's kind (years, or quarters, or months);
    # the table below lists every figure.
    kind = period_kind(indicator.measurements[-1].period) if indicator.measurements else None
    points = [(m.period, float(m.value) if m.value is not None else None) for m in indicator.measurements if period_kind(m.period) == kind]
    targets = _targets(indicator)
    chart = line_chart(points, _("%(title)s per periode", title=indicator.title), float(indicator.target_value) if indicator.target_value is not None else None,
                       indicator.unit, targets={p: v for p, v in targets.items() if period_kind(p) == kind}, breaks=breaks)
    forms = forms or {}
    return render_template("indicators/detail.html", indicator=indicator, chart=chart,
                           form=form or MeasurementForm(formdata=None), import_form=import_form or ImportForm(formdata=None),
                           preview=preview, extra_errors=extra or {}, can_enter=can_enter(viewer, indicator),
                           can_restrict=can_restrict(viewer, indicator), versions=versions, breaks=breaks,
                           can_describe=viewer is not None and viewer.role == "coordinator", targets=targets,
                           version_of=services.version_of, corrections=services.corrections(db.session, indicator),
                           expected=services.expected(db.session, indicator), today=today(),
                           definition_form=ids_prefixed(forms.get("definition") or DefinitionForm(formdata=None), "definition"),
                           expected_form=ids_prefixed(forms.get("expected") or ExpectedForm(formdata=None), "expected")), status


def _targets(indicator: Indicator) -> dict[str, float]:
    """Targets measured by this indicator that are in force today, per period (the chart marks them)."""
    rows = db.session.scalars(select(Target).where(Target.indicator_id == indicator.id, Target.valid_from <= today())
                              .order_by(Target.valid_from, Target.recorded_at, Target.id)).all()
    latest: dict[str, Target] = {}
    for t in rows:
        latest[t.period] = t
    return {period: float(t.value) for period, t in latest.items() if t.value is not None}


@bp.get("/<key>")
def detail(key: str):
    return _detail(_load(key))


@bp.get("/<key>/measurements/<int:measurement_id>/correct")
def correct_form(key: str, measurement_id: int):
    indicator = _load(key)
    measurement = _measurement(indicator, measurement_id)
    if not can_enter(signed_in(), indicator):
        abort(403)
    return _correct_page(indicator, measurement, CorrectionForm(formdata=None, data={"version": measurement.version}))


def _measurement(indicator: Indicator, measurement_id: int) -> Measurement:
    return next((m for m in indicator.measurements if m.id == measurement_id), None) or abort(404)


def _correct_page(indicator, measurement, form, extra=None, status=200):
    return render_template("indicators/correct.html", indicator=indicator, measurement=measurement, form=form, extra_errors=extra or {},
                           history=services.corrections(db.session, indicator).get(measurement.id, [])), status


@bp.post("/<key>/measurements/<int:measurement_id>/correct")
def correct(key: str, measurement_id: int):
    viewer = signed_in()
    indicator = _load(key)
    measurement = _measurement(indicator, measurement_id)
    if not can_enter(viewer, indicator):
        abort(403)
    form = CorrectionForm()
    raw = form.version.data or ""
    base = bounded_int(raw)
    try:
        with transaction():
            services.correct_measurement(db.session, viewer, indicator, measurement, form.value.data, form.reason.data, base)
    except VersionConflict:
        indicator = _load(key)
        measurement = _measurement(indicator, measurement_id)
        flash(_("Iemand anders heeft dit cijfer intussen gewijzigd. Hieronder staat het nieuwe cijfer; controleer het en corrigeer opnieuw."), "error")
        return _correct_page(indicator, measurement, CorrectionForm(formdata=None, data={"version": measurement.version}), status=409)
    except ValidationFailed as exc:
        indicator = _load(key)
        measurement = _measurement(indicator, measurement_id)
        extra = apply_errors(form, exc.fields)
        return _correct_page(indicator, measurement, form, extra, 422)
    flash(_("Het cijfer is gecorrigeerd; de oude waarde blijft zichtbaar in de geschiedenis."), "success")
    return redirect(url_for("indicators.detail", key=key) + "#cijfers"), 303


@bp.post("/<key>/definitions")
def add_definition(key: str):
    viewer = signed_in()
    indicator = _load(key)
    if not can_enter(viewer, indicator):
        abort(403)
    form = DefinitionForm()
    try:
        with transaction():
            services.add_definition(db.session, viewer, indicator, form.definition.data, form.valid_from.data, form.note.data)
    except ValidationFailed as exc:
        extra = apply_errors(form, exc.fields)
        return _detail(_load(key), extra=extra, status=422, forms={"definition": form})
    flash(_("De nieuwe definitie is vastgelegd."), "success")
    return redirect(url_for("indicators.detail", key=key) + "#definities"), 303


@bp.post("/<key>/visibility")
def set_visibility(key: str):
    viewer = signed_in()
    indicator = _load(key)
    if not can_restrict(viewer, indicator):
        abort(403)
    try:
        with transaction():
            services.set_visibility(db.session, viewer, indicator, request.form.get("visibility", ""))
    except ValidationFailed as exc:
        return _detail(_load(key), extra=exc.fields, status=422)
    flash(_("Wie de indicator mag zien is opgeslagen."), "success")
    if not can_view(viewer, indicator):
        return redirect(url_for("indicators.list")), 303
    return redirect(url_for("indicators.detail", key=key)), 303


@bp.post("/<key>/expected")
def expect(key: str):
    viewer = signed_in()
    indicator = _load(key)
    if not can_enter(viewer, indicator):
        abort(403)
    form = ExpectedForm()
    try:
        due = date.fromisoformat(form.due_on.data or "")
    except ValueError:
        due = None
    try:
        with transaction():
            services.expect_figure(db.session, viewer, indicator, form.period.data, due)
    except ValidationFailed as exc:
        extra = apply_errors(form, exc.fields)
        return _detail(_load(key), extra=extra, status=422, forms={"expected": form})
    flash(_("De verwachte datum is vastgelegd. De organisatie krijgt een herinnering."), "success")
    return redirect(url_for("indicators.detail", key=key) + "#verwacht"), 303


@bp.route("/import", methods=["GET", "POST"])
def bulk_import():
    """Figures for many indicators in one CSV or XLSX: step 1 checks every line, step 2 (confirm) stores all or none."""
    viewer = signed_in()
    if not can_import(viewer):
        abort(403)
    form = BulkForm()
    if request.method == "GET":
        return render_template("indicators/import.html", form=form, lines=None, error=None, payload="")
    raw, filename = b"", "bestand.csv"
    if request.form.get("payload"):
        try:
            raw = base64.b64decode(request.form["payload"], validate=True)
        except ValueError:
            abort(400)
        filename = request.form.get("filename", filename)[:200]
    elif form.file.data and getattr(form.file.data, "filename", ""):
        filename = form.file.data.filename
        raw = form.file.data.read(MAX_BYTES + 1)
    if not raw:
        return render_template("indicators/import.html", form=form, lines=None, error=_("Kies een bestand."), payload=""), 422
    if request.form.get("confirm") == "1":
        try:
            with transaction():
                count = bulk.store(db.session, viewer, filename, raw)
        except ValidationFailed:
            pass  # shown below, line by line
        else:
            flash(ngettext("%(num)d cijfer is geïmporteerd.", "%(num)d cijfers zijn geïmporteerd.", count), "success")
            return redirect(url_for("indicators.list")), 303
    try:
        lines = bulk.preview(db.session, viewer, filename, raw)
    except SheetError as exc:
        return render_template("indicators/import.html", form=form, lines=None, error=str(exc), payload=""), 422
    ok = not any(line.problems for line in lines)
    return render_template("indicators/import.html", form=form, lines=lines, error=None, filename=filename,
                           payload=base64.b64encode(raw).decode("ascii") if ok else ""), 200 if ok else 422


@bp.post("/<key>/measurements")
def add(key: str):
    viewer = signed_in()
    indicator = _load(key)
    if not can_enter(viewer, indicator):
        abort(403)
    form = MeasurementForm()
    if not form.validate():
        return _detail(indicator, form=form, status=422)
    try:
        with transaction():
            services.add_measurement(db.session, viewer, indicator, form.period.data, form.value.data, form.source_text.data, form.note.data)
    except ValidationFailed as exc:
        extra = apply_errors(form, exc.fields)
        return _detail(_load(key), form=form, extra=extra, status=422)
    flash(_("Het cijfer is opgeslagen."), "success")
    return redirect(url_for("indicators.detail", key=key) + "#cijfers")


@bp.post("/<key>/import")
def import_csv(key: str):
    """Step 1 shows every row with its problems; step 2 (confirm) stores all rows or none."""
    viewer = signed_in()
    indicator = _load(key)
    if not can_enter(viewer, indicator):
        abort(403)
    form = ImportForm()
    if not form.validate():
        abort(400)
    text = form.content.data or ""
    if form.file.data and getattr(form.file.data, "filename", ""):
        raw = form.file.data.read(1024 * 1024 + 1)
        if len(raw) > 1024 * 1024:
            return _detail(indicator, import_form=form, extra={"file": _("Het bestand is groter dan 1 MB.")}, status=413)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _detail(indicator, import_form=form, extra={"file": _("Het bestand is geen UTF-8-tekst (CSV).")}, status=422)
    if request.form.get("confirm") == "1":
        try:
            with transaction():
                count = services.import_csv(db.session, viewer, indicator, text)
        except ValidationFailed:
            indicator = _load(key)
        else:
            flash(ngettext("%(num)d cijfer is geïmporteerd.", "%(num)d cijfers zijn geïmporteerd.", count), "success")
            return redirect(url_for("indicators.detail", key=key) + "#cijfers")
    rows = services.parse_csv(db.session, indicator, text)
    form.content.data = text
    return _detail(indicator, import_form=form, preview=rows, status=200 if rows and not any(r.problems for r in rows) else 422)

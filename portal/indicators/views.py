"""Indicator pages: definition, figures, chart, entry form and CSV import with a preview."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from models import Indicator

from ..access import current_viewer
from ..charts import line_chart
from ..errors import ValidationFailed
from ..extensions import db
from ..formtools import apply_errors
from ..writes import page_write
from . import bp, services
from .permissions import can_enter


class MeasurementForm(FlaskForm):
    period = StringField(_l("Periode"), validators=[DataRequired(_l("Dit veld is verplicht."))])
    value = StringField(_l("Waarde"))
    source_text = StringField(_l("Bron"), validators=[Length(max=500)])
    note = TextAreaField(_l("Toelichting"), validators=[Length(max=2000)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV-bestand"))
    content = TextAreaField(_l("Of plak de regels hier"))


def _load(key: str) -> Indicator:
    indicator = db.session.scalars(select(Indicator).where(Indicator.key == key)
                                   .options(selectinload(Indicator.measurements), selectinload(Indicator.owner_organisation),
                                            selectinload(Indicator.source))).one_or_none()
    return indicator or abort(404)


@bp.get("")
def list():
    indicators = db.session.scalars(select(Indicator).order_by(Indicator.title)
                                    .options(selectinload(Indicator.measurements), selectinload(Indicator.owner_organisation))).all()
    return render_template("indicators/list.html", indicators=indicators)


def _detail(indicator: Indicator, form=None, import_form=None, preview=None, extra=None, status=200):
    points = [(m.period, float(m.value) if m.value is not None else None) for m in indicator.measurements]
    chart = line_chart(points, f"{indicator.title} per periode", float(indicator.target_value) if indicator.target_value is not None else None, indicator.unit)
    return render_template("indicators/detail.html", indicator=indicator, chart=chart,
                           form=form or MeasurementForm(formdata=None), import_form=import_form or ImportForm(formdata=None),
                           preview=preview, extra_errors=extra or {}, can_enter=can_enter(current_viewer(), indicator)), status


@bp.get("/<key>")
def detail(key: str):
    return _detail(_load(key))


@bp.post("/<key>/measurements")
def add(key: str):
    viewer = current_viewer()
    indicator = _load(key)
    if not can_enter(viewer, indicator):
        abort(403)
    form = MeasurementForm()
    if not form.validate():
        return _detail(indicator, form=form, status=422)
    try:
        with page_write():
            services.add_measurement(db.session, viewer, indicator, form.period.data, form.value.data, form.source_text.data, form.note.data)
    except ValidationFailed as exc:
        extra = apply_errors(form, exc.fields)
        return _detail(_load(key), form=form, extra=extra, status=422)
    flash("Het cijfer is opgeslagen.", "success")
    return redirect(url_for("indicators.detail", key=key) + "#cijfers")


@bp.post("/<key>/import")
def import_csv(key: str):
    """Step 1 shows every row with its problems; step 2 (confirm) stores all rows or none."""
    viewer = current_viewer()
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
            return _detail(indicator, import_form=form, extra={"file": "Het bestand is groter dan 1 MB."}, status=413)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _detail(indicator, import_form=form, extra={"file": "Het bestand is geen UTF-8-tekst (CSV)."}, status=422)
    if request.form.get("confirm") == "1":
        try:
            with page_write():
                count = services.import_csv(db.session, viewer, indicator, text)
        except ValidationFailed:
            indicator = _load(key)
        else:
            flash(f"{count} {'cijfer is' if count == 1 else 'cijfers zijn'} geïmporteerd.", "success")
            return redirect(url_for("indicators.detail", key=key) + "#cijfers")
    rows = services.parse_csv(db.session, indicator, text)
    form.content.data = text
    return _detail(indicator, import_form=form, preview=rows, status=200 if rows and not any(r.problems for r in rows) else 422)

"""Pages where coordinators add an indicator and describe it (unit, definition, producer, focus area, reporting cycle,
responsible person); who may see it stays its owner's choice (the visibility form on the indicator's page)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from models import Indicator, Organisation, User

from .. import focus_areas
from ..access import get_or_404, signed_in
from ..errors import ValidationFailed, VersionConflict
from ..extensions import db
from ..formtools import apply_errors, form_version
from ..i18n import today
from ..inputs import bounded_int
from ..visibility import indicator_clause
from ..writes import transaction
from . import bp, catalogue

VISIBILITY_TEXT = {"public": _l("Iedereen die inlogt"), "mdt": _l("De MDT-partners"), "organisation": _l("Alleen de eigen organisatie")}
FREQUENCY_TEXT = {"": _l("Geen vast ritme"), "1": _l("Elke maand"), "3": _l("Elk kwartaal"), "12": _l("Elk jaar")}


class IndicatorForm(FlaskForm):
    version = HiddenField()
    key = StringField(_l("Sleutel"))
    title = StringField(_l("Naam"))
    unit = StringField(_l("Eenheid"))
    definition = TextAreaField(_l("Definitie"))
    producer_organisation = SelectField(_l("Organisatie die de cijfers publiceert"), choices=[], validate_choice=False)
    producer = StringField(_l("Wie publiceert de cijfers"))
    owner_organisation = SelectField(_l("Organisatie die de cijfers levert"), choices=[], validate_choice=False)
    visibility = SelectField(_l("Wie mag de indicator zien"), choices=[], validate_choice=False)
    focus_area = SelectField(_l("Speerpunt"), choices=[], validate_choice=False)
    frequency_months = SelectField(_l("Hoe vaak komt er een cijfer"), choices=[], validate_choice=False)
    responsible_user_id = SelectField(_l("Wie levert het cijfer aan"), choices=[], validate_choice=False)


def _choices(form: IndicatorForm) -> IndicatorForm:
    every = db.session.scalars(select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)).all()
    organisations = [o for o in every if o.takes_part]
    form.owner_organisation.choices = [SelectChoice(o.code, o.name) for o in organisations]
    form.producer_organisation.choices = [SelectChoice("", _("geen of onbekend"))] + [SelectChoice(o.code, o.name) for o in every]
    form.visibility.choices = [SelectChoice(k, str(v)) for k, v in VISIBILITY_TEXT.items()]
    areas = focus_areas.ordered(db.session)  # the framework in force first
    form.focus_area.choices = [SelectChoice("", _("geen"))] + [SelectChoice(a.code, f"{a.code} {a.title}") for a in areas
                                                              if a.framework_id == areas[0].framework_id]
    form.frequency_months.choices = [SelectChoice(k, str(v)) for k, v in FREQUENCY_TEXT.items()]
    codes = {o.id: o.code for o in organisations}
    people = db.session.scalars(select(User).where(User.is_active.is_(True), User.role.in_(("member", "coordinator")))
                                .order_by(User.organisation_id, User.name)).all()
    form.responsible_user_id.choices = [SelectChoice("", _("de hele organisatie"))] + [
        SelectChoice(str(u.id), f"{u.name} ({codes.get(u.organisation_id, '')})") for u in people]
    return form


def _data() -> dict:
    raw_frequency, raw_person = request.form.get("frequency_months", ""), request.form.get("responsible_user_id", "")
    data: dict = {k: request.form.get(k) for k in ("title", "unit", "definition", "producer", "owner_organisation", "visibility")}
    data["producer_organisation"] = request.form.get("producer_organisation") or None
    data["focus_area"] = request.form.get("focus_area") or None
    data["frequency_months"] = (bounded_int(raw_frequency, 3) or -1) if raw_frequency else None
    data["responsible_user_id"] = (bounded_int(raw_person) or -1) if raw_person else None
    return data


def _page(indicator: Indicator | None, form: IndicatorForm | None = None, errors: dict | None = None, status: int = 200):
    if form is None:
        form = IndicatorForm(formdata=None, data={
            "version": indicator.version, "key": indicator.key, "title": indicator.title, "unit": indicator.unit,
            "definition": indicator.definition, "producer": indicator.producer or "", "owner_organisation": indicator.owner_organisation.code,
            "producer_organisation": indicator.producer_organisation.code if indicator.producer_organisation else "",
            "visibility": indicator.visibility, "focus_area": indicator.focus_area.code if indicator.focus_area else "",
            "frequency_months": str(indicator.frequency_months or ""), "responsible_user_id": str(indicator.responsible_user_id or "")}
            if indicator else {"visibility": "mdt", "unit": "aantal", "frequency_months": "3"})
    _choices(form)
    extra = apply_errors(form, errors or {})
    return render_template("indicators/edit.html", indicator=indicator, form=form, extra_errors=extra), status


def _coordinator() -> None:
    viewer = signed_in()
    if viewer is None or viewer.role != "coordinator":
        abort(403)


@bp.get("/new")
def new():
    _coordinator()
    return _page(None)


@bp.post("/new")
def create():
    _coordinator()
    try:
        with transaction():
            indicator = catalogue.save_indicator(db.session, signed_in(), {**_data(), "key": request.form.get("key", "").strip()}, today())
    except ValidationFailed as exc:
        return _page(None, IndicatorForm(), exc.fields, 422)
    flash(_("De indicator is aangemaakt."), "success")
    return redirect(url_for("indicators.detail", key=indicator.key)), 303


def _visible(key: str) -> Indicator:
    return get_or_404(Indicator, Indicator.key == key, visible=indicator_clause)


@bp.get("/<key>/edit")
def edit(key: str):
    _coordinator()
    return _page(_visible(key))


@bp.post("/<key>/edit")
def save(key: str):
    _coordinator()
    indicator = _visible(key)
    data = _data()
    # Who may see it and who owns it are the owner's (rule 3): a form of another organisation sends them unchanged.
    if data.get("visibility") == indicator.visibility:
        data.pop("visibility")
    if data.get("owner_organisation") == indicator.owner_organisation.code:
        data.pop("owner_organisation")
    try:
        with transaction():
            catalogue.save_indicator(db.session, signed_in(), data, today(), indicator, form_version())
    except ValidationFailed as exc:
        return _page(_visible(key), IndicatorForm(), exc.fields, 422)
    except VersionConflict:
        flash(_("Iemand anders heeft deze indicator intussen gewijzigd. Hieronder staat de nieuwe versie; controleer die en sla opnieuw op."), "error")
        return _page(_visible(key), status=409)
    flash(_("De indicator is opgeslagen."), "success")
    return redirect(url_for("indicators.detail", key=key)), 303

"""Pages where coordinators keep the framework's content: the documents (sources) with their recommendations and
measures, entered, corrected and retired without a developer. The API twins are api/content.py; the rules are
framework/content.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from models import Organisation, Recommendation, Source

from ..access import get_or_404, signed_in
from ..errors import ValidationFailed, VersionConflict
from ..extensions import db
from ..formtools import apply_errors, form_version
from ..framework import content
from ..framework import queries as framework_queries
from ..framework.forms import RecommendationForm, SourceForm
from ..framework.permissions import can_weigh
from ..i18n import today
from ..inputs import bounded_int
from ..writes import transaction
from . import bp


def _coordinator() -> None:
    if not can_weigh(signed_in()):
        abort(403)


def _organisation_choices() -> list[SelectChoice]:
    """Issuers and addressees: every active organisation, the extern ones (Inspectie, Nationaal Rapporteur, ...) included."""
    organisations = db.session.scalars(select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name))
    return [SelectChoice(o.code, o.name) for o in organisations]


def _source_form(form: SourceForm) -> SourceForm:
    form.kind.choices = [SelectChoice(k, str(label)) for k, label in content.KIND_TEXT.items()]
    form.issued_by.choices = [SelectChoice("", _("geen of onbekend"))] + _organisation_choices()
    return form


def _recommendation_form(form: RecommendationForm) -> RecommendationForm:
    form.addressees.choices = _organisation_choices()
    framework = framework_queries.in_force(db.session, today())
    form.focus_areas.choices = [SelectChoice(a.code, f"{a.code} {a.title}") for a in (framework.focus_areas if framework else [])]
    return form


@bp.get("/sources")
def sources():
    return render_template("followup/sources.html", sources=content.sources(db.session), kind_text=content.KIND_TEXT,
                           can_edit=can_weigh(signed_in()))


@bp.get("/sources/new")
def source_new():
    _coordinator()
    return _source_page(None)


def _load_source(source_id: int) -> Source:
    return get_or_404(Source, source_id)


def _source_page(source: Source | None, form: SourceForm | None = None, rec_form: RecommendationForm | None = None,
                 errors: dict | None = None, rec_errors: dict | None = None, status: int = 200):
    can_edit = can_weigh(signed_in())
    if form is None:
        data = {"version": source.version, "kind": source.kind, "title": source.title,
                "issued_on": source.issued_on.isoformat() if source.issued_on else "", "reference": source.reference or "",
                "kamerstuk": source.kamerstuk or "", "issued_by": source.issued_by or "", "issuer": source.issuer or "",
                "url": source.url or "", "note": source.note or "",
                "retired": source.retired_on is not None} if source else {"kind": "inspectierapport"}
        form = SourceForm(formdata=None, data=data)
    _source_form(form)
    recs = list(db.session.scalars(select(Recommendation).where(Recommendation.source_id == source.id).order_by(Recommendation.number)
                                   .options(selectinload(Recommendation.addressees), selectinload(Recommendation.focus_areas)))) if source else []
    if rec_form is None:
        rec_form = RecommendationForm(formdata=None, data={"number": str(max((r.number for r in recs), default=0) + 1)})
    _recommendation_form(rec_form)
    extra = apply_errors(form, errors or {})
    rec_extra = apply_errors(rec_form, rec_errors or {})
    return render_template("followup/source.html", source=source, form=form, rec_form=rec_form, extra_errors=extra, rec_extra_errors=rec_extra,
                           recs=recs, can_edit=can_edit, kind_text=content.KIND_TEXT,
                           rec_kind_text=content.RECOMMENDATION_KIND_TEXT), status


@bp.get("/sources/<int:source_id>")
def source_detail(source_id: int):
    return _source_page(_load_source(source_id))


@bp.post("/sources")
@bp.post("/sources/<int:source_id>")
def source_save(source_id: int | None = None):
    _coordinator()
    source = _load_source(source_id) if source_id is not None else None
    data: dict = {k: request.form.get(k) for k in ("kind", "title", "issued_on", "reference", "kamerstuk", "issued_by", "issuer", "url", "note", "reason")}
    data["retired"] = "retired" in request.form
    try:
        with transaction():
            saved = content.save_source(db.session, signed_in(), data, today(), source, form_version() if source else None)
    except ValidationFailed as exc:
        return _source_page(_load_source(source_id) if source_id else None, SourceForm(), errors=exc.fields, status=422)
    except VersionConflict:
        flash(_("Iemand anders heeft dit document intussen gewijzigd. Hieronder staat de nieuwe versie; controleer die en sla opnieuw op."), "error")
        return _source_page(_load_source(source_id or 0), status=409)
    flash(_("Het document is opgeslagen."), "success")
    return redirect(url_for("followup.source_detail", source_id=saved.id)), 303


def _recommendation_data() -> dict:
    raw = request.form.get("number", "").strip()
    return {"number": bounded_int(raw) if bounded_int(raw) is not None else raw or None, "kind": request.form.get("kind"),
            "text": request.form.get("text"), "addressees": request.form.getlist("addressees"),
            "focus_areas": request.form.getlist("focus_areas"), "retired": "retired" in request.form, "reason": request.form.get("reason")}


@bp.post("/sources/<int:source_id>/recommendations")
def source_add_recommendation(source_id: int):
    _coordinator()
    source = _load_source(source_id)
    try:
        with transaction():
            rec = content.save_recommendation(db.session, signed_in(), {**_recommendation_data(), "source_id": source.id}, today())
    except ValidationFailed as exc:
        return _source_page(_load_source(source_id), rec_form=RecommendationForm(), rec_errors=exc.fields, status=422)
    flash(_("Aanbeveling %(n)d is toegevoegd. Leg hieronder de reactie van het kabinet vast.", n=rec.number), "success")
    return redirect(url_for("followup.recommendation", rec_id=rec.id) + "#reactie"), 303


def _load_recommendation(rec_id: int) -> Recommendation:
    return get_or_404(Recommendation, rec_id)


def _recommendation_edit_page(rec: Recommendation, form: RecommendationForm | None = None, errors: dict | None = None, status: int = 200):
    if form is None:
        form = RecommendationForm(formdata=None, data={"version": rec.version, "number": str(rec.number), "kind": rec.kind, "text": rec.text,
                                                        "addressees": [o.code for o in rec.addressees],
                                                        "focus_areas": [a.code for a in rec.focus_areas], "retired": rec.retired_on is not None})
    _recommendation_form(form)
    extra = apply_errors(form, errors or {})
    return render_template("followup/recommendation_edit.html", rec=rec, form=form, extra_errors=extra), status


@bp.get("/recommendations/<int:rec_id>/edit")
def recommendation_edit(rec_id: int):
    _coordinator()
    return _recommendation_edit_page(_load_recommendation(rec_id))


@bp.post("/recommendations/<int:rec_id>/edit")
def recommendation_save(rec_id: int):
    _coordinator()
    rec = _load_recommendation(rec_id)
    try:
        with transaction():
            content.save_recommendation(db.session, signed_in(), {**_recommendation_data(), "source_id": rec.source_id}, today(), rec,
                                        form_version())
    except ValidationFailed as exc:
        return _recommendation_edit_page(_load_recommendation(rec_id), RecommendationForm(), exc.fields, 422)
    except VersionConflict:
        flash(_("Iemand anders heeft deze aanbeveling intussen gewijzigd. Hieronder staat de nieuwe versie; controleer die en sla opnieuw op."), "error")
        return _recommendation_edit_page(_load_recommendation(rec_id), status=409)
    flash(_("De aanbeveling is opgeslagen."), "success")
    return redirect(url_for("followup.recommendation", rec_id=rec_id)), 303

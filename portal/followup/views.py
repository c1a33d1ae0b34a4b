"""The follow-up register: a page per recommendation with its timeline, and the register of toezeggingen and moties."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from models import STATUSES, Organisation, ParliamentCommitment, Recommendation, Source, is_late

from ..access import get_or_404, signed_in
from ..errors import ValidationFailed, VersionConflict
from ..extensions import db
from ..formtools import apply_errors
from ..framework import followup, parliament
from ..framework.forms import ParliamentForm, ResponseForm
from ..framework.goals import ASSESSMENTS, DIRECTION_TEXT
from ..framework.permissions import can_weigh
from ..framework.state import STATE_TEXT, recommendation_state
from ..i18n import today
from ..inputs import bounded_int
from ..reports import services as report_services
from ..writes import transaction
from . import bp
from . import state as followup_state

NEWEST_SOURCES_FIRST = (Source.year.desc(), Source.title, Source.id)  # how the forms offer sources


def _sources():
    return db.session.scalars(select(Source).order_by(*NEWEST_SOURCES_FIRST)).all()


def _choices(rec_id: int) -> tuple[list[Source], list[Recommendation]]:
    """The coordinator's forms' choices in one statement: every source (newest first) for the response's document, and
    every other recommendation (by id, each with its source) to relate."""
    rows = db.session.execute(select(Source, Recommendation).outerjoin(Recommendation, Recommendation.source_id == Source.id)
                              .order_by(*NEWEST_SOURCES_FIRST)).all()
    sources = list(dict.fromkeys(source for source, _rec in rows))
    others = sorted((r for _source, r in rows if r is not None and r.id != rec_id), key=lambda r: r.id)
    return sources, others  # each recommendation's source is in the identity map: reading it asks nothing more


def _recommendation(rec_id: int) -> Recommendation:
    return get_or_404(Recommendation, rec_id, options=(joinedload(Recommendation.source), joinedload(Recommendation.addressees),
                                                       joinedload(Recommendation.focus_areas)))


@bp.get("/recommendations/<int:rec_id>")
def recommendation(rec_id: int):
    return _recommendation_page(_recommendation(rec_id))


def _response_data(current) -> dict:
    """The response form filled in with the latest response (a new one starts from 'onbekend')."""
    if current is None:
        return {"base_response": "", "stance": "onbekend", "text": "", "responded_on": "", "document": "", "document_title": "",
                "kamerstuk": "", "url": ""}
    return {"base_response": current.id, "stance": current.stance, "text": current.text,
            "responded_on": current.responded_on.isoformat() if current.responded_on else "",
            "document": current.document.key if current.document else "", "document_title": current.document_title,
            "kamerstuk": current.kamerstuk, "url": current.url}


def _recommendation_page(rec: Recommendation, form: ResponseForm | None = None, errors: dict | None = None, status: int = 200):
    viewer = signed_in()
    can_edit = can_weigh(viewer)
    history = followup.responses(db.session, rec.id)
    items, events, more_work = followup.timeline(db.session, viewer, rec, history)
    related = followup.related(db.session, rec.id)
    if not can_edit:
        form = None
    elif form is None:
        form = ResponseForm(formdata=None, data=_response_data(history[0] if history else None))
    others: Sequence[Recommendation] = []
    extra: dict = {}
    if form is not None:  # the forms are the coordinators' only
        sources, others = _choices(rec.id)
        form.document.choices = [SelectChoice("", _("geen"))] + [SelectChoice(s.key, s.title) for s in sources]
        extra = apply_errors(form, errors or {})
    return render_template("followup/recommendation.html", rec=rec, items=items, events=events, more_work=more_work,
                           timeline_work=followup.TIMELINE_WORK, history=history, related=related,
                           state=STATE_TEXT[recommendation_state(Counter(i.status for i in items))], stance_text=followup.STANCE_TEXT,
                           reports=report_services.reports_with_recommendation(db.session, viewer, rec.id), form=form,
                           extra_errors=extra, can_edit=can_edit, others=others), status


@bp.get("/recommendations/<int:rec_id>/state")
def recommendation_state_page(rec_id: int):
    """Where we stand on this recommendation as of a date (default today): the contract's state answer, every number a link
    to the rows behind it on this page (?status= narrows the list)."""
    rec = _recommendation(rec_id)
    raw, error = request.args.get("as_of", ""), None
    try:
        as_of = date.fromisoformat(raw) if raw else today()
    except ValueError:
        as_of, error = today(), _("Geef een datum als JJJJ-MM-DD.")
    if as_of > today():
        as_of, error = today(), _("De peildatum ligt in de toekomst; u ziet de stand van vandaag.")
    answer = followup_state.recommendation_state(db.session, signed_in(), rec, as_of, with_rows=True)
    chosen = request.args.get("status")
    rows = [(i, {**s, "due": date.fromisoformat(s["due_date"]) if s["due_date"] else None}) for i, s in answer["rows"]]
    rows = [(i, {**s, "late": is_late(s["due"], s["status"], as_of)}) for i, s in rows]
    if chosen == "late":
        rows = [(i, s) for i, s in rows if s["late"]]
    elif chosen in STATUSES:
        rows = [(i, s) for i, s in rows if s["status"] == chosen]
    else:
        chosen = None
    titles = {i.id: i.title for i, _s in answer["rows"]}
    return render_template("followup/state.html", rec=rec, state=answer, as_of=as_of, rows=rows, chosen=chosen, statuses=STATUSES,
                           assessments=ASSESSMENTS, directions=DIRECTION_TEXT, titles=titles,
                           error=error, today_date=today()), 422 if error else 200


@bp.post("/recommendations/<int:rec_id>/response")
def record_response(rec_id: int):
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    rec = _recommendation(rec_id)
    form = ResponseForm()
    raw = request.form.get("base_response", "")
    base = bounded_int(raw)
    try:
        with transaction():
            followup.record_response(db.session, viewer, rec, request.form.to_dict(), base)
    except ValidationFailed as exc:
        return _recommendation_page(_recommendation(rec_id), form, exc.fields, 422)
    except VersionConflict:
        flash(_("Iemand anders heeft de reactie intussen gewijzigd. Hieronder staat de nieuwe versie; controleer die en sla opnieuw op."), "error")
        return _recommendation_page(_recommendation(rec_id), status=409)
    flash(_("De reactie is vastgelegd."), "success")
    return redirect(url_for("followup.recommendation", rec_id=rec_id) + "#reactie"), 303


@bp.post("/recommendations/<int:rec_id>/related")
def relate(rec_id: int):
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    rec = _recommendation(rec_id)
    raw = request.form.get("related", "")
    other_id = bounded_int(raw)
    other = db.session.get(Recommendation, other_id) if other_id else None
    if other is None:
        flash(_("Kies een aanbeveling."), "error")
        return redirect(url_for("followup.recommendation", rec_id=rec_id) + "#samenhang"), 303
    try:
        with transaction():
            followup.link_related(db.session, viewer, rec, other, request.form.get("action") != "unlink")
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
    else:
        flash(_("De samenhang is opgeslagen."), "success")
    return redirect(url_for("followup.recommendation", rec_id=rec_id) + "#samenhang"), 303


# -- toezeggingen en moties ----------------------------------------------------------------------------------------

@bp.get("/parliament")
def parliament_list():
    viewer = signed_in()
    status = request.args.get("status") or None
    due_soon = request.args.get("due") == "soon"
    rows = parliament.coming_due(db.session, today()) if due_soon else parliament.register(db.session, status)
    linked = parliament.linked_items(db.session, viewer, [p.id for p in rows])
    return render_template("followup/parliament_list.html", rows=rows, linked=linked, status=status, today=today(), due_soon=due_soon,
                           is_overdue=parliament.is_overdue, kind_text=parliament.KIND_TEXT, status_text=parliament.STATUS_TEXT,
                           can_edit=can_weigh(viewer))


def _parliament_form(form: ParliamentForm) -> ParliamentForm:
    organisations = db.session.scalars(select(Organisation).where(Organisation.taking_part()).order_by(Organisation.code))
    form.owner_organisation.choices = [SelectChoice("", _("geen"))] + [SelectChoice(o.code, o.name) for o in organisations]
    form.fulfilled_by.choices = [SelectChoice("", _("geen"))] + [SelectChoice(s.key, s.title) for s in _sources()]
    return form


def _form_data(c: ParliamentCommitment, linked_ids: list[int]) -> dict:
    return {"version": c.version, "kind": c.kind, "kamerstuk": c.kamerstuk, "text": c.text,
            "made_on": c.made_on.isoformat() if c.made_on else "", "owner_organisation": c.owner_organisation.code if c.owner_organisation else "",
            "due": c.due_label, "status": c.status, "closed_on": c.closed_on.isoformat() if c.closed_on else "",
            "fulfilled_by": c.fulfilled_by.key if c.fulfilled_by else "", "fulfilled_note": c.fulfilled_note,
            "action_item_ids": ", ".join(map(str, linked_ids)), "made_in": c.made_in, "member": c.member}


def _load(pid: int) -> ParliamentCommitment:
    return get_or_404(ParliamentCommitment, pid, options=(joinedload(ParliamentCommitment.owner_organisation),
                                                          joinedload(ParliamentCommitment.source), joinedload(ParliamentCommitment.fulfilled_by)))


@bp.get("/parliament/<int:pid>")
def parliament_detail(pid: int):
    return _parliament_page(_load(pid))


def _parliament_page(c: ParliamentCommitment | None, form: ParliamentForm | None = None, errors: dict | None = None, status: int = 200):
    viewer = signed_in()
    items = parliament.linked_items(db.session, viewer, [c.id]).get(c.id, []) if c else []
    form = _parliament_form(form or ParliamentForm(formdata=None, data=_form_data(c, [i.id for i in items]) if c else {}))
    extra = apply_errors(form, errors or {})
    changes, answers = parliament.history(db.session, [c.id]) if c else ({}, {})
    return render_template("followup/parliament.html", c=c, items=items, form=form, extra_errors=extra, can_edit=can_weigh(viewer),
                           due_history=changes.get(c.id, []) if c else [], answers=answers.get(c.id, []) if c else [],
                           kind_text=parliament.KIND_TEXT, status_text=parliament.STATUS_TEXT,
                           overdue=parliament.is_overdue(c, today()) if c else False), status


@bp.get("/parliament/new")
def parliament_new():
    if not can_weigh(signed_in()):
        abort(403)
    return _parliament_page(None)


@bp.post("/parliament")
@bp.post("/parliament/<int:pid>")
def parliament_save(pid: int | None = None):
    viewer = signed_in()
    if not can_weigh(viewer):
        abort(403)
    commitment = _load(pid) if pid is not None else None
    raw = request.form.get("version", "")
    base = bounded_int(raw)
    try:
        with transaction():
            saved = parliament.save_commitment(db.session, viewer, request.form.to_dict(), today(), commitment, base)
    except ValidationFailed as exc:
        return _parliament_page(_load(pid) if pid is not None else None, ParliamentForm(), exc.fields, 422)
    except VersionConflict:
        flash(_("Iemand anders heeft deze toezegging intussen gewijzigd. Hieronder staat de nieuwe versie; controleer die en sla opnieuw op."), "error")
        return _parliament_page(_load(pid) if pid is not None else None, status=409)
    flash(_("De toezegging is opgeslagen."), "success")
    return redirect(url_for("followup.parliament_detail", pid=saved.id)), 303

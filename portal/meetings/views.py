"""Meeting pages: prepare, attend, minute, decide, approve; the decisions register; exports."""
from __future__ import annotations

import builtins  # this module's view "list" shadows the built-in
from datetime import date, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from models import Meeting, MeetingSeries, Organisation, User

from .. import audience, audit, focus_areas
from ..access import get_or_404, signed_in
from ..downloads import attachment
from ..errors import Locked, ValidationFailed, VersionConflict
from ..extensions import counts_as_download, db
from ..formtools import apply_errors
from ..i18n import AMSTERDAM, long_date, today
from ..inputs import bounded_int
from ..writes import transaction
from . import bp, exports, queries, record, series, services
from .forms import AgendaForm, DecisionForm, ErratumForm, MeetingForm, MinutesForm, PlainForm
from .permissions import can_manage, can_read_minutes, can_record, visible_clause


def _load(meeting_id: int) -> Meeting:
    return get_or_404(Meeting, meeting_id, visible=visible_clause, options=queries.DETAIL_OPTIONS)


def _area_choices(*fields):
    areas = focus_areas.ordered(db.session)
    for form_field in fields:
        form_field.choices = choices_of([("", "—")] + [(a.code, f"{a.code} {a.title}") for a in areas])


def choices_of(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


@bp.get("")
def list():
    viewer = signed_in()
    series = request.args.get("series", "")
    stmt = queries.visible_meetings(viewer)
    if series:
        stmt = stmt.where(Meeting.series_id.in_(select(MeetingSeries.id).where(MeetingSeries.code == series)))
    meetings = db.session.scalars(stmt.limit(200)).all()
    all_series = db.session.scalars(select(MeetingSeries).order_by(MeetingSeries.title)).all()
    return render_template("meetings/list.html", meetings=meetings, all_series=all_series, series=series,
                           plain_form=PlainForm(formdata=None))


def _meeting_form(form: MeetingForm) -> MeetingForm:
    orgs = db.session.scalars(select(Organisation).where(Organisation.taking_part()).order_by(Organisation.code)).all()
    org_choices = [(o.code, f"{o.code} – {o.name}") for o in orgs]
    form.series.choices = choices_of((s.code, s.title) for s in db.session.scalars(select(MeetingSeries).order_by(MeetingSeries.title)))
    form.chair_organisation.choices = choices_of([("", "—")] + org_choices)
    form.shared_with.choices = choices_of(org_choices)
    form.invited.choices = choices_of(org_choices)
    return form


@bp.post("/series")
def create_series():
    viewer = signed_in()
    if not PlainForm().validate():
        abort(400)
    try:
        with transaction():
            services.create_series(db.session, viewer, request.form.get("code", ""), request.form.get("title", ""))
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return redirect(url_for("meetings.list") + "#reeks-toevoegen")
    flash(_("De reeks is toegevoegd."), "success")
    return redirect(url_for("meetings.list"))


@bp.route("/new", methods=["GET", "POST"])
def create():
    viewer = signed_in()
    if not can_manage(viewer):
        abort(403)
    form = _meeting_form(MeetingForm())
    if request.method == "GET":
        form.invited.data = [o.code for o in db.session.scalars(select(Organisation).where(Organisation.is_mdt_member.is_(True)))]
        form.chair_organisation.data = viewer.organisation.code
    extra = {}
    if form.validate_on_submit():
        starts = datetime.combine(form.day.data, form.start.data, tzinfo=AMSTERDAM)
        ends = datetime.combine(form.day.data, form.end.data, tzinfo=AMSTERDAM) if form.end.data else None
        try:
            with transaction():
                meeting = services.create_meeting(db.session, viewer, {
                    "series": form.series.data, "title": form.title.data, "starts_at": starts, "ends_at": ends,
                    "location": form.location.data, "is_online": form.is_online.data, "chair_organisation": form.chair_organisation.data or None,
                    "visibility": form.visibility.data, "shared_with": form.shared_with.data or [], "invited": form.invited.data or []})
            flash(_("De vergadering is aangemaakt. Vul de agenda aan."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
        except ValidationFailed as exc:
            extra = apply_errors(form, exc.fields)
    return render_template("meetings/form.html", form=form, extra_errors=extra), 422 if request.method == "POST" else 200


def _detail(meeting: Meeting, status: int = 200, **forms):
    viewer = signed_in()
    decisions = db.session.scalars(queries.decisions(viewer, meeting_id=meeting.id)).all()
    agenda_form = forms.get("agenda_form") or AgendaForm(formdata=None)
    decision_form = forms.get("decision_form") or DecisionForm(formdata=None)
    _area_choices(agenda_form.focus_area, decision_form.focus_area)
    manage = can_manage(viewer, meeting)
    following = record.next_meeting(db.session, meeting, viewer) if manage else None  # read once: approval and "prepare next"
    return render_template(
        "meetings/detail.html", meeting=meeting, decisions=decisions,
        carried=queries.carried_actions(db.session, viewer, meeting), actions=queries.meeting_actions(db.session, viewer, meeting),
        **_controls(viewer, meeting, following),
        readable={a.id: can_read_minutes(viewer, meeting, a.minutes) for a in meeting.agenda_items},
        agenda_form=agenda_form, decision_form=decision_form, erratum_form=forms.get("erratum_form") or ErratumForm(formdata=None),
        minutes_forms=forms.get("minutes_forms", {}), plain_form=PlainForm(formdata=None), people=_people(meeting) if manage else [],
        conflict=forms.get("conflict"), extra_errors=forms.get("extra_errors", {}),
        next_start=series.suggested_start(meeting).strftime("%Y-%m-%dT%H:%M"), open_points=series.open_points(meeting, viewer),
        standard_points=series.standard_points(meeting.series),
        following=following,
    ), status


def _controls(viewer: User, meeting: Meeting, following: Meeting | None) -> dict:
    """Which controls the page offers. Rule 6: an approved record offers none that would change it (errata only).
    `following`: the series' next meeting (record.next_meeting), read by the page for managers."""
    manage, locked = can_manage(viewer, meeting), meeting.minutes_status == "vastgesteld"
    approve_from = record.approval_date(following) if manage and not locked else None
    return {"can_manage": manage, "can_record": can_record(viewer, meeting),
            "can_set_attendance": manage and not locked and audience.may_decide(viewer, meeting),
            "can_prepare": manage and not locked, "can_decide": can_record(viewer, meeting) and not locked,
            "approve_from": approve_from, "can_approve": manage and not locked and approve_from is not None and approve_from <= today()}


def _people(meeting: Meeting) -> builtins.list[User]:
    """The active people of the attending organisations, to invite by name."""
    return builtins.list(db.session.scalars(select(User).where(User.organisation_id.in_({a.organisation_id for a in meeting.attendees}),
                                                      User.is_active.is_(True)).order_by(User.name).options(joinedload(User.organisation))))


@bp.get("/<int:meeting_id>")
def detail(meeting_id: int):
    return _detail(_load(meeting_id))


def _write(meeting: Meeting, call, message: str, anchor: str, failed_forms: dict):
    """Run one service call for a meeting page form; errors re-render the page with what was typed."""
    try:
        with transaction():
            call()
    except VersionConflict:
        return _detail(_load(meeting.id), 409, conflict=True, **failed_forms)
    except Locked as exc:
        return _detail(_load(meeting.id), 409, extra_errors=exc.fields, **failed_forms)
    except ValidationFailed as exc:
        extra = {}
        for form in failed_forms.values():
            if hasattr(form, "_fields"):
                extra.update(apply_errors(form, exc.fields))
        if not failed_forms:
            extra = exc.fields
        return _detail(_load(meeting.id), 422, extra_errors=extra, **failed_forms)
    flash(message, "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id) + f"#{anchor}")


@bp.post("/<int:meeting_id>/agenda")
def add_agenda(meeting_id: int):
    meeting = _load(meeting_id)
    form = AgendaForm()
    _area_choices(form.focus_area)
    if not form.validate():
        return _detail(meeting, 422, agenda_form=form)
    return _write(meeting, lambda: services.add_agenda_item(db.session, signed_in(), meeting, form.title.data, form.presenter.data,
                                                            form.duration_minutes.data, form.focus_area.data or None),
                  "Het agendapunt is toegevoegd.", "agenda", {"agenda_form": form})


@bp.post("/<int:meeting_id>/agenda/<int:agenda_item_id>/move")
def move_agenda(meeting_id: int, agenda_item_id: int):
    meeting = _load(meeting_id)
    if not PlainForm().validate():
        abort(400)
    return _write(meeting, lambda: services.move_agenda_item(db.session, signed_in(), meeting, agenda_item_id,
                                                             request.form.get("direction", "")),
                  "De volgorde van de agenda is aangepast.", f"agendapunt-{agenda_item_id}", {})


@bp.post("/<int:meeting_id>/attendance")
def attendance(meeting_id: int):
    meeting = _load(meeting_id)
    if not PlainForm().validate():
        abort(400)

    def call():
        for key, value in request.form.items():
            if key.startswith("attendance-"):
                raw = key.removeprefix("attendance-")
                services.set_attendance(db.session, signed_in(), meeting, -1 if (attendee := bounded_int(raw)) is None else attendee, value)
    return _write(meeting, call, "De aanwezigheid is opgeslagen.", "aanwezigheid", {})


@bp.post("/<int:meeting_id>/invite")
def invite(meeting_id: int):
    meeting = _load(meeting_id)
    if not PlainForm().validate():
        abort(400)
    user_id = request.form.get("user_id", "")
    return _write(meeting, lambda: services.invite_person(db.session, signed_in(), meeting, bounded_int(user_id)),
                  "De persoon is uitgenodigd.", "aanwezigheid", {})


@bp.post("/<int:meeting_id>/agenda/<int:agenda_item_id>/minutes")
def minutes(meeting_id: int, agenda_item_id: int):
    meeting = _load(meeting_id)
    form = MinutesForm()
    if not form.validate():
        return _detail(meeting, 422, minutes_forms={agenda_item_id: form})
    version = form.version.data
    return _write(meeting, lambda: record.save_minutes(db.session, signed_in(), meeting, agenda_item_id,
                                                         bounded_int(version),
                                                         form.body.data, form.is_restricted.data),
                  "De notulen zijn opgeslagen.", f"agendapunt-{agenda_item_id}", {"minutes_forms": {agenda_item_id: form}})


@bp.post("/<int:meeting_id>/agenda/<int:agenda_item_id>/errata")
def erratum(meeting_id: int, agenda_item_id: int):
    meeting = _load(meeting_id)
    form = ErratumForm()
    if not form.validate():
        return _detail(meeting, 422, erratum_form=form)
    return _write(meeting, lambda: record.add_erratum(db.session, signed_in(), meeting, agenda_item_id, form.body.data),
                  "Het erratum is toegevoegd.", f"agendapunt-{agenda_item_id}", {"erratum_form": form})


@bp.post("/<int:meeting_id>/decisions")
def decision(meeting_id: int):
    meeting = _load(meeting_id)
    form = DecisionForm()
    _area_choices(form.focus_area)
    if not form.validate():
        return _detail(meeting, 422, decision_form=form)
    agenda_item_id = form.agenda_item_id.data
    return _write(meeting, lambda: record.add_decision(db.session, signed_in(), meeting,
                                                         bounded_int(agenda_item_id),
                                                         form.text.data, form.focus_area.data or None),
                  "Het besluit is vastgelegd.", "besluiten", {"decision_form": form})


@bp.post("/<int:meeting_id>/approve")
def approve(meeting_id: int):
    meeting = _load(meeting_id)
    if not PlainForm().validate():
        abort(400)
    return _write(meeting, lambda: record.approve_minutes(db.session, signed_in(), meeting, today()),
                  "De notulen zijn vastgesteld.", "notulen-status", {})


@bp.get("/decisions")
def decisions():
    viewer = signed_in()
    year = request.args.get("year", type=int)
    rows = db.session.scalars(queries.decisions(viewer, request.args.get("series") or None, year,
                                                request.args.get("focus_area") or None, request.args.get("q", "").strip()[:200]).limit(500)).all()
    return render_template("meetings/decisions.html", decisions=rows, args=request.args,
                           all_series=db.session.scalars(select(MeetingSeries).order_by(MeetingSeries.title)).all(),
                           focus_areas=focus_areas.ordered(db.session))


@bp.get("/<int:meeting_id>/minutes.<fmt>")
@counts_as_download
def export(meeting_id: int, fmt: str):
    if fmt not in ("docx", "pdf"):
        abort(404)
    viewer = signed_in()
    meeting = _load(meeting_id)
    ctx = exports.context(meeting, viewer, builtins.list(db.session.scalars(queries.decisions(viewer, meeting_id=meeting.id))),
                          queries.meeting_actions(db.session, viewer, meeting))
    body = exports.to_docx(ctx) if fmt == "docx" else exports.to_pdf(ctx)
    with transaction():
        audit.record("meeting.exported", actor=viewer, entity_type="meeting", entity_id=meeting.id, format=fmt)
    mimetype = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return attachment(body, mimetype, f"notulen-{meeting.starts_at.astimezone(AMSTERDAM):%Y-%m-%d}.{fmt}")


@bp.get("/<int:meeting_id>/invite.ics")
@counts_as_download
def invite_ics(meeting_id: int):
    meeting = _load(meeting_id)
    body = exports.to_ics(meeting, current_app.config["PORTAL_SETTINGS"].base_url)
    return attachment(body, "text/calendar; charset=utf-8", f"vergadering-{meeting.id}.ics")


# -- meetings as a series ------------------------------------------------------------------------------------------

def _series(code: str) -> MeetingSeries:
    return get_or_404(MeetingSeries, MeetingSeries.code == code)


def _local(raw: str | None) -> datetime | None:
    """A datetime-local field ("2027-01-04T10:00") in Europe/Amsterdam; None when empty or malformed."""
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=AMSTERDAM) if raw else None
    except ValueError:
        return None


@bp.post("/<int:meeting_id>/next")
def prepare_next(meeting_id: int):
    """"Volgende vergadering voorbereiden": the next meeting of the series from this one, in one step."""
    viewer = signed_in()
    meeting = _load(meeting_id)
    if not can_manage(viewer, meeting):
        abort(403)
    raw = request.form.get("starts_at", "")
    starts = _local(raw)
    if raw and starts is None:
        flash(_("Vul een geldige datum en tijd in voor de volgende vergadering."), "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#volgende"), 303
    try:
        with transaction():
            following = series.prepare_next(db.session, viewer, meeting, starts)
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#volgende"), 303
    flash(_("De volgende vergadering is voorbereid: de actielijst, de vaste agenda en de open punten staan erop."), "success")
    return redirect(url_for("meetings.detail", meeting_id=following.id)), 303


@bp.get("/series/<code>")
def series_page(code: str):
    viewer = signed_in()
    item = _series(code)
    meetings = db.session.scalars(select(Meeting).where(Meeting.series_id == item.id, visible_clause(viewer))
                                  .order_by(Meeting.starts_at.desc()).limit(50)).all()
    first = min((m.starts_at for m in meetings), default=None)
    return render_template("meetings/series.html", series=item, meetings=meetings, points=series.standard_points(item),
                           can_manage=can_manage(viewer), period_from=(first.astimezone(AMSTERDAM).date() if first else today()).isoformat(),
                           period_to=today().isoformat())


@bp.post("/series/<code>/agenda")
def series_agenda(code: str):
    viewer = signed_in()
    if not can_manage(viewer):
        abort(403)
    item = _series(code)
    try:
        with transaction():
            series.set_standard_agenda(db.session, viewer, item, request.form.get("standard_agenda", ""))
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
    else:
        flash(_("De vaste agenda is opgeslagen."), "success")
    return redirect(url_for("meetings.series_page", code=code) + "#vaste-agenda"), 303


@bp.get("/series/<code>/minutes.<fmt>")
@counts_as_download
def series_minutes(code: str, fmt: str):
    """The minutes of a period compiled into one DOCX or PDF; every meeting's restricted minutes only for who may read them."""
    if fmt not in ("docx", "pdf"):
        abort(404)
    viewer = signed_in()
    item = _series(code)
    try:
        start, end = date.fromisoformat(request.args.get("from", "")), date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        flash(_("Kies een geldige periode."), "error")
        return redirect(url_for("meetings.series_page", code=code) + "#verslagen"), 303
    try:
        contexts = series.compiled(db.session, viewer, item, start, end)
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return redirect(url_for("meetings.series_page", code=code) + "#verslagen"), 303
    title = f"Notulen {item.title}"
    period = f"{long_date(start, 'nl')} tot en met {long_date(end, 'nl')}"
    body = (exports.to_docx_compiled if fmt == "docx" else exports.to_pdf_compiled)(title, period, contexts)
    with transaction():
        audit.record("meeting.series_exported", actor=viewer, entity_type="meeting_series", entity_id=item.id, format=fmt,
                     start=start.isoformat(), end=end.isoformat(), meetings=len(contexts))
    mimetype = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return attachment(body, mimetype, f"notulen-{item.code.lower()}-{start.isoformat()}-{end.isoformat()}.{fmt}")

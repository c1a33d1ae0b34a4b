"""Meetings: list, prepare, read and change (the agenda order included)."""
from __future__ import annotations

from datetime import datetime

from flask import jsonify, url_for
from flask_babel import gettext as _

from models import Meeting, MeetingSeries, Minutes

from ..access import get_or_404, signed_in
from ..extensions import db
from ..i18n import AMSTERDAM, today
from ..meetings import queries as meeting_queries
from ..meetings import record as meeting_record
from ..meetings import series as meeting_series
from ..meetings import services as meeting_services
from ..meetings.permissions import can_read_minutes, visible_clause
from ..meetings.queries import decisions
from . import bp
from .bodies import AgendaPoint, Attendance, DecisionBody, ErratumBody, Invitation, MeetingWrite, MinutesBody, NextMeeting, SeriesBody, StandardAgenda
from .helpers import _if_match, body_of, service_call, stale_body
from .schemas import ApiError


def _meeting_json(meeting) -> dict:
    viewer = signed_in()

    def minutes(item):
        if item.minutes is None or not can_read_minutes(viewer, meeting, item.minutes):
            return None  # rule 5: restricted minutes do not exist for an organisation that was not present
        return {"body": item.minutes.body, "is_restricted": item.minutes.is_restricted, "version": item.minutes.version,
                "errata": [{"at": e.created_at.isoformat(), "body": e.body} for e in item.minutes.errata]}

    return {
        "id": meeting.id, "series": meeting.series.code, "title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None, "location": meeting.location,
        "is_online": meeting.is_online, "chair_organisation": meeting.chair_organisation.code if meeting.chair_organisation else None,
        "visibility": meeting.visibility, "shared_with": sorted(o.code for o in meeting.shared_with),
        "minutes_status": meeting.minutes_status, "version": meeting.version,
        "attendees": [{"id": a.id, "organisation": a.organisation.code, "user_id": a.user_id, "name": a.name,
                       "attendance": a.attendance} for a in meeting.attendees],
        "agenda": [{"id": a.id, "position": a.position, "title": a.title, "presenter": a.presenter,
                    "duration_minutes": a.duration_minutes, "is_action_review": a.is_action_review, "minutes": minutes(a)}
                   for a in meeting.agenda_items],
        "decisions": [{"number": d.number, "text": d.text, "agenda_item_id": d.agenda_item_id}
                      for d in db.session.scalars(decisions(viewer, meeting_id=meeting.id))],
    }


def _meeting_data(body: dict) -> dict:
    data = {k: v for k, v in body.items() if k != "agenda"}
    for key in ("starts_at", "ends_at"):
        if key in data and data[key] is not None:
            try:
                data[key] = datetime.fromisoformat(data[key])  # text: the body checked its type
            except ValueError:
                data[key] = None
    return data


def _meeting_response(meeting, status: int = 200):
    response = jsonify(_meeting_json(meeting))
    response.status_code = status
    response.headers["ETag"] = f'"{meeting.version}"'
    return response


def _load_meeting(meeting_id: int):
    return get_or_404(Meeting, meeting_id, visible=visible_clause, options=meeting_queries.DETAIL_OPTIONS)


@bp.get("/meetings")
def list_meetings():

    meetings = db.session.scalars(meeting_queries.visible_meetings(signed_in()).limit(200)).all()
    return jsonify([{"id": m.id, "series": m.series.code, "title": m.title, "starts_at": m.starts_at.isoformat(),
                     "minutes_status": m.minutes_status} for m in meetings])


@bp.post("/meetings")
def create_meeting():

    data = _meeting_data(body_of(MeetingWrite))
    with service_call(_("Alleen coördinatoren bereiden vergaderingen voor.")):
        meeting = meeting_services.create_meeting(db.session, signed_in(), data)
    response = _meeting_response(_load_meeting(meeting.id), 201)
    response.headers["Location"] = url_for("api.get_meeting", meeting_id=meeting.id)
    return response


@bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int):
    return _meeting_response(_load_meeting(meeting_id))


@bp.patch("/meetings/<int:meeting_id>")
def patch_meeting(meeting_id: int):

    meeting = _load_meeting(meeting_id)
    base = _if_match()
    body = body_of(MeetingWrite)
    data = _meeting_data(body)
    with service_call(_("Alleen coördinatoren wijzigen vergaderingen.")):
        meeting_services.change_meeting(db.session, signed_in(), meeting, base, data, body.get("agenda"))
    return _fresh(meeting_id)


# -- the page actions' twins: agenda, attendance, minutes, decisions, approval, errata -----------



def _stale_meeting(record: Meeting | Minutes, status: int):
    """412 with the current meeting, when the meeting or its minutes moved in the meantime."""
    db.session.expire_all()
    return _meeting_response(_load_meeting(record.id if isinstance(record, Meeting) else record.agenda_item.meeting_id), status)


stale_body(Meeting, _stale_meeting)
stale_body(Minutes, _stale_meeting)


def _fresh(meeting_id: int, status: int = 200):
    db.session.expire_all()
    return _meeting_response(_load_meeting(meeting_id), status)


@bp.post("/meetings/<int:meeting_id>/agenda")
def add_agenda_item(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    body = body_of(AgendaPoint)
    with service_call(_("Alleen coördinatoren stellen de agenda op.")):
        meeting_services.add_agenda_item(db.session, signed_in(), meeting, body.get("title"), body.get("presenter") or "",
                                 body.get("duration_minutes"), body.get("focus_area"))
    return _fresh(meeting_id, 201)


@bp.put("/meetings/<int:meeting_id>/attendance")
def put_attendance(meeting_id: int):
    """{"<organisation code>": "invited" | "present" | "excused" | "absent"}, If-Match with the meeting's version."""
    meeting = _load_meeting(meeting_id)
    base = _if_match()
    body = body_of(Attendance)
    wrong = {code: _("Kies invited, present, excused of absent.") for code, value in body.items() if value not in meeting_services.ATTENDANCE}
    if wrong:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), wrong)
    with service_call(_("Alleen coördinatoren houden de aanwezigheid bij.")):
        meeting_services.set_attendance_of_organisations(db.session, signed_in(), meeting, base, body)
    return _fresh(meeting_id)


@bp.put("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/minutes")
def put_minutes(meeting_id: int, agenda_item_id: int):
    """{body, is_restricted}; once minutes exist, If-Match with their version."""
    meeting = _load_meeting(meeting_id)
    body = body_of(MinutesBody)
    base = _if_match(required=False)  # the service refuses unreadable minutes first (404), then a missing version (428)
    with service_call(_("U mag bij deze vergadering geen notulen vastleggen.")):
        minutes = meeting_record.save_minutes(db.session, signed_in(), meeting, agenda_item_id, base, body.get("body"),
                                        bool(body.get("is_restricted", False)))
    response = _fresh(meeting_id)
    response.headers["ETag"] = f'"{minutes.version}"'
    return response


@bp.post("/meetings/<int:meeting_id>/decisions")
def add_decision(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    body = body_of(DecisionBody)
    with service_call(_("U mag bij deze vergadering geen besluiten vastleggen.")):
        decision = meeting_record.add_decision(db.session, signed_in(), meeting, body.get("agenda_item_id"), body.get("text"),
                                         body.get("focus_area"))
    response = jsonify({"number": decision.number, "text": decision.text, "agenda_item_id": decision.agenda_item_id,
                        "meeting_id": decision.meeting_id})
    response.status_code = 201
    return response


@bp.post("/meetings/<int:meeting_id>/approve")
def approve(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    with service_call(_("Alleen coördinatoren stellen notulen vast.")):
        meeting_record.approve_minutes(db.session, signed_in(), meeting, today())
    return _fresh(meeting_id)


@bp.post("/meetings/<int:meeting_id>/errata")
def add_erratum(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    body = body_of(ErratumBody)
    with service_call(_("Alleen coördinatoren voegen errata toe.")):
        meeting_record.add_erratum(db.session, signed_in(), meeting, body.get("agenda_item_id"), body.get("body"))
    return _fresh(meeting_id, 201)


# -- meetings as a series: the page actions' twins -----------------------------------------------------------------

@bp.post("/meetings/<int:meeting_id>/next")
def prepare_next(meeting_id: int):
    """The next meeting of the series from this one (invitations, place, visibility, action list, standard agenda,
    open points); `starts_at` defaults to four weeks later."""
    meeting = _load_meeting(meeting_id)
    body = body_of(NextMeeting)
    starts = None
    if body.get("starts_at"):
        try:
            starts = datetime.fromisoformat(body["starts_at"])
        except ValueError:
            raise ApiError(422, "validation_failed", _("Controleer de velden."), {"starts_at": _("Geef een datum en tijd (ISO 8601).")}) from None
        starts = starts if starts.tzinfo else starts.replace(tzinfo=AMSTERDAM)
    with service_call(_("Alleen coördinatoren bereiden vergaderingen voor.")):
        following = meeting_series.prepare_next(db.session, signed_in(), meeting, starts)
    response = _meeting_response(_load_meeting(following.id), 201)
    response.headers["Location"] = url_for("api.get_meeting", meeting_id=following.id)
    return response


@bp.get("/meeting-series/<code>")
def get_series(code: str):
    item = get_or_404(MeetingSeries, MeetingSeries.code == code)
    return jsonify({"code": item.code, "title": item.title, "standard_agenda": meeting_series.standard_points(item)})


@bp.put("/meeting-series/<code>/agenda")
def put_series_agenda(code: str):
    item = get_or_404(MeetingSeries, MeetingSeries.code == code)
    points = body_of(StandardAgenda).get("standard_agenda")
    if points is None:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"standard_agenda": _("Geef een lijst met agendapunten (tekst).")})
    with service_call(_("Alleen coördinatoren houden de vaste agenda bij.")):
        meeting_series.set_standard_agenda(db.session, signed_in(), item, "\n".join(p.replace("\n", " ") for p in points))
    return get_series(code)


@bp.post("/meeting-series")
def create_series():
    """Add a meeting series (coordinators); its code prefixes the decision numbers (MDT-2026-07)."""
    body = body_of(SeriesBody)
    with service_call(_("Alleen coördinatoren voegen reeksen toe.")):
        item = meeting_services.create_series(db.session, signed_in(), body.get("code", ""), body.get("title", ""))
    return jsonify({"code": item.code, "title": item.title, "standard_agenda": []}), 201


@bp.post("/meetings/<int:meeting_id>/invitations")
def invite_person(meeting_id: int):
    """Invite a person of an invited organisation by name on the attendance list (coordinators)."""
    meeting = _load_meeting(meeting_id)
    body = body_of(Invitation)
    with service_call(_("Alleen coördinatoren nodigen uit.")):
        meeting_services.invite_person(db.session, signed_in(), meeting, body.get("user_id"))
    return _fresh(meeting_id, 201)

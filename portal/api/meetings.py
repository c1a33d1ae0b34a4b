"""API twins of the meeting page's actions: agenda, attendance, minutes, decisions, approval, errata."""
from __future__ import annotations

from contextlib import contextmanager

from flask import jsonify

from ..access import current_viewer
from ..extensions import db
from ..i18n import today
from ..meetings import services as meetings
from . import bp
from .schemas import BOOL, INT, INT_OR_NULL, TEXT, TEXT_OR_NULL, ApiError, check_types
from .views import _if_match, _json_body, _load_meeting, _meeting_response, _refuse_unknown, service_call

ATTENDANCE_CHOICES = ("invited", "present", "excused", "absent")


def _body(fields: dict) -> dict:
    body = _json_body()
    _refuse_unknown(body, set(fields))
    check_types(body, fields)
    return body


@contextmanager
def _meeting_write(meeting_id: int, forbidden: str):
    """One meeting service call: 412 with the current meeting when its version moved in the meantime."""
    try:
        with service_call(forbidden):
            yield
    except meetings.MeetingVersionConflict:
        db.session.commit()  # keeps the conflict's audit event
        raise _Stale(meeting_id) from None


class _Stale(Exception):
    def __init__(self, meeting_id: int):
        self.meeting_id = meeting_id


@bp.errorhandler(_Stale)
def _stale_meeting(exc: _Stale):
    db.session.expire_all()
    return _meeting_response(_load_meeting(exc.meeting_id), 412)


def _fresh(meeting_id: int, status: int = 200):
    db.session.expire_all()
    return _meeting_response(_load_meeting(meeting_id), status)


@bp.post("/meetings/<int:meeting_id>/agenda")
def add_agenda_item(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    body = _body({"title": TEXT, "presenter": TEXT_OR_NULL, "duration_minutes": INT_OR_NULL, "focus_area": TEXT_OR_NULL})
    with _meeting_write(meeting_id, "Alleen coördinatoren stellen de agenda op."):
        meetings.add_agenda_item(db.session, current_viewer(), meeting, body.get("title"), body.get("presenter") or "",
                                 body.get("duration_minutes"), body.get("focus_area"))
    return _fresh(meeting_id, 201)


@bp.put("/meetings/<int:meeting_id>/attendance")
def put_attendance(meeting_id: int):
    """{"<organisation code>": "invited" | "present" | "excused" | "absent"}, If-Match with the meeting's version."""
    meeting = _load_meeting(meeting_id)
    base = _if_match()
    body = _json_body()
    wrong = {code: "Kies invited, present, excused of absent." for code, value in body.items() if value not in ATTENDANCE_CHOICES}
    if wrong:
        raise ApiError(422, "validation_failed", "Controleer de velden.", wrong)
    with _meeting_write(meeting_id, "Alleen coördinatoren houden de aanwezigheid bij."):
        meetings.set_attendance_of_organisations(db.session, current_viewer(), meeting, base, body)
    return _fresh(meeting_id)


@bp.put("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/minutes")
def put_minutes(meeting_id: int, agenda_item_id: int):
    """{body, is_restricted}; once minutes exist, If-Match with their version."""
    meeting = _load_meeting(meeting_id)
    body = _body({"body": TEXT, "is_restricted": BOOL})
    base = _if_match(required=False)  # the service refuses unreadable minutes first (404), then a missing version (428)
    with _meeting_write(meeting_id, "U mag bij deze vergadering geen notulen vastleggen."):
        minutes = meetings.save_minutes(db.session, current_viewer(), meeting, agenda_item_id, base, body.get("body"),
                                        bool(body.get("is_restricted", False)))
    response = _fresh(meeting_id)
    response.headers["ETag"] = f'"{minutes.version}"'
    return response


@bp.post("/meetings/<int:meeting_id>/decisions")
def add_decision(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    body = _body({"agenda_item_id": INT_OR_NULL, "text": TEXT, "focus_area": TEXT_OR_NULL})
    with _meeting_write(meeting_id, "U mag bij deze vergadering geen besluiten vastleggen."):
        decision = meetings.add_decision(db.session, current_viewer(), meeting, body.get("agenda_item_id"), body.get("text"),
                                         body.get("focus_area"))
    response = jsonify({"number": decision.number, "text": decision.text, "agenda_item_id": decision.agenda_item_id,
                        "meeting_id": decision.meeting_id})
    response.status_code = 201
    return response


@bp.post("/meetings/<int:meeting_id>/approve")
def approve(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    with _meeting_write(meeting_id, "Alleen coördinatoren stellen notulen vast."):
        meetings.approve_minutes(db.session, current_viewer(), meeting, today())
    return _fresh(meeting_id)


@bp.post("/meetings/<int:meeting_id>/errata")
def add_erratum(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    body = _body({"agenda_item_id": INT, "body": TEXT})
    with _meeting_write(meeting_id, "Alleen coördinatoren voegen errata toe."):
        meetings.add_erratum(db.session, current_viewer(), meeting, body.get("agenda_item_id"), body.get("body"))
    return _fresh(meeting_id, 201)

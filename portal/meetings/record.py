"""The record of a meeting: minutes per agenda item with approval and errata, and the decisions register."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Decision, Erratum, Meeting, MeetingSeries, Minutes, User, utcnow

from .. import audit, focus_areas, limits
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..i18n import AMSTERDAM
from ..validation import text as clean_text
from ..writes import check_version, save
from .permissions import attending_organisations, can_manage, can_read_minutes, can_record, visible_clause
from .services import MeetingVersionConflict, _agenda_item, _unlocked


def save_minutes(session: Session, actor: User, meeting: Meeting, agenda_item_id: int, base_version: int | None,
                 body: str | None, is_restricted: bool) -> Minutes:
    if not can_record(actor, meeting):
        raise NotAllowed("cannot write minutes")
    agenda_item = _agenda_item(meeting, agenda_item_id)
    if not can_read_minutes(actor, meeting, agenda_item.minutes):
        # Rule 5: restricted minutes do not exist for an organisation that was not present (no body, no version).
        raise NotFound("restricted minutes")
    _unlocked(meeting)
    if is_restricted and actor.organisation_id not in attending_organisations(meeting):
        raise NotAllowed("only organisations present write restricted minutes")
    fields: dict[str, str] = {}
    body = clean_text(fields, "body", body, _("De notulen"), limits.MINUTES, required=False)
    if fields:
        raise ValidationFailed(fields)
    minutes = agenda_item.minutes
    if minutes is None:
        if base_version not in (None, 0):
            raise ValidationFailed({"version": _("Deze notulen bestaan nog niet; laad de pagina opnieuw.")})
        minutes = Minutes(agenda_item_id=agenda_item.id, body=body, is_restricted=is_restricted, updated_by_id=actor.id)
        session.add(minutes)
    else:
        check_version(session, minutes, base_version, MeetingVersionConflict)
        minutes.body, minutes.is_restricted, minutes.updated_by_id = body, is_restricted, actor.id
        minutes.updated_at = utcnow()
        save(session, minutes, MeetingVersionConflict)
    session.flush()
    audit.record("meeting.minutes_saved", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 agenda_item_id=agenda_item.id, restricted=is_restricted)
    return minutes


def next_meeting(session: Session, meeting: Meeting, viewer: User) -> Meeting | None:
    """The next meeting of the same series that the viewer may see: minutes are approved in (or after) it. A series
    is shared, its meetings are not: one that another organisation keeps to itself is never named, dated or counted."""
    return session.scalars(select(Meeting).where(Meeting.series_id == meeting.series_id, Meeting.starts_at > meeting.starts_at,
                                                 visible_clause(viewer))
                           .order_by(Meeting.starts_at)).first()


def approval_date(following: Meeting | None) -> date | None:
    """The first day on which the minutes can be approved (Amsterdam): the day of the series' next meeting
    (next_meeting), or None while none is planned."""
    return following.starts_at.astimezone(AMSTERDAM).date() if following else None


def approve_minutes(session: Session, actor: User, meeting: Meeting, today: date) -> None:
    """Concept -> vastgesteld, at or after the next meeting of the series; locked from then on."""
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators approve minutes")
    if meeting.minutes_status == "vastgesteld":
        raise ValidationFailed({"minutes": _("Deze notulen zijn al vastgesteld.")})
    following = next_meeting(session, meeting, actor)
    approve_from = approval_date(following)
    if following is None or approve_from is None or approve_from > today:
        raise ValidationFailed({"minutes": _("Notulen worden vastgesteld in (of na) de volgende vergadering van deze reeks.")})
    meeting.minutes_status, meeting.minutes_approved_at, meeting.minutes_approved_by_id = "vastgesteld", utcnow(), actor.id
    session.flush()
    audit.record("meeting.minutes_approved", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 in_meeting=following.id)


def add_erratum(session: Session, actor: User, meeting: Meeting, agenda_item_id: int | None, body: str | None) -> Erratum:
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators add errata")
    agenda_item = _agenda_item(meeting, agenda_item_id)
    if not can_read_minutes(actor, meeting, agenda_item.minutes):
        raise NotFound("restricted minutes")
    if meeting.minutes_status != "vastgesteld" or agenda_item.minutes is None:
        raise ValidationFailed({"body": _("Een erratum kan alleen bij vastgestelde notulen; wijzig de conceptnotulen gewoon.")})
    fields: dict[str, str] = {}
    body = clean_text(fields, "body", body, _("De correctie"), limits.NOTE)
    if fields:
        raise ValidationFailed(fields)
    erratum = Erratum(minutes_id=agenda_item.minutes.id, body=body, created_by_id=actor.id)
    session.add(erratum)
    session.flush()
    audit.record("meeting.erratum_added", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 agenda_item_id=agenda_item.id)
    return erratum


def add_decision(session: Session, actor: User, meeting: Meeting, agenda_item_id: int | None, text: str | None,
                 focus_area_code: str | None = None) -> Decision:
    """Numbered per series and year (MDT-2026-07). The series row is locked while numbering (PostgreSQL);
    the unique constraint and a retry cover SQLite and any race that slips through."""
    if not can_record(actor, meeting):
        raise NotAllowed("cannot record decisions")
    _unlocked(meeting)
    fields: dict[str, str] = {}
    text = clean_text(fields, "text", text, _("Het besluit"), limits.NOTE)
    agenda_item = None
    if agenda_item_id is not None:
        try:
            agenda_item = _agenda_item(meeting, agenda_item_id)
        except ValidationFailed as exc:
            fields.update(exc.fields)
        if agenda_item is not None and not can_read_minutes(actor, meeting, agenda_item.minutes):
            # Rule 5: a decision under restricted minutes is restricted the same way; for the absent the point's
            # minutes do not exist, so neither does a place to decide under them.
            raise NotFound("restricted minutes")
    area = focus_areas.by_code(session, focus_area_code)
    if focus_area_code and area is None:
        fields["focus_area"] = _("Kies een bestaand speerpunt.")
    if fields:
        raise ValidationFailed(fields)
    year = meeting.starts_at.astimezone(AMSTERDAM).year
    for _attempt in range(5):
        try:
            with session.begin_nested():
                series = session.scalars(select(MeetingSeries).where(MeetingSeries.id == meeting.series_id).with_for_update()).one()
                sequence = (session.scalar(select(func.max(Decision.sequence)).where(
                    Decision.series_id == series.id, Decision.year == year)) or 0) + 1
                decision = Decision(series_id=series.id, meeting_id=meeting.id, agenda_item_id=agenda_item.id if agenda_item else None,
                                    year=year, sequence=sequence, number=f"{series.code}-{year}-{sequence:02d}", text=text,
                                    focus_area_id=area.id if area else None)
                session.add(decision)
                session.flush()
            break
        except IntegrityError:
            continue
    else:
        raise ValidationFailed({"text": _("Het besluit kon geen nummer krijgen; probeer het opnieuw.")})
    audit.record("meeting.decision_added", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 number=decision.number)
    return decision

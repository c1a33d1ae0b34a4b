"""Writes for meetings: preparation, agenda and attendance (the minutes, errata, decisions and approval: record.py)."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import VISIBILITIES, AgendaItem, Attendee, Meeting, MeetingSeries, Organisation, User, utcnow

from .. import audience, audit, focus_areas, limits
from ..errors import Locked, NotAllowed, ValidationFailed, VersionConflict
from ..validation import Cleaning, run_cleaners
from ..validation import text as clean_text
from ..writes import check_version, save
from .permissions import can_manage, can_view

ACTION_REVIEW_TITLE = "Actielijst vorige vergadering"
ATTENDANCE = ("invited", "present", "excused", "absent")


class MeetingVersionConflict(VersionConflict):
    """The meeting or minutes changed since the form was loaded."""


def _unlocked(meeting: Meeting) -> None:
    """Rule 6: once the minutes are approved, agenda, attendance, minutes and decisions no longer change."""
    if meeting.minutes_status == "vastgesteld":
        raise Locked({"meeting": "De notulen van deze vergadering zijn vastgesteld. Agenda, aanwezigheid, notulen en "
                                 "besluiten veranderen niet meer; voeg zo nodig een erratum toe."})


def _series(c: Cleaning) -> None:
    series = c.session.scalars(select(MeetingSeries).where(MeetingSeries.code == c.data.get("series"))).one_or_none() \
        if isinstance(c.data.get("series"), str) else None
    if series is None:
        c.fields["series"] = _("Kies een bestaande reeks.")
    c.out["series"] = series


def _title(c: Cleaning) -> None:
    c.out["title"] = clean_text(c.fields, "title", c.data.get("title"), _("De titel"), limits.TITLE)


def _starts(c: Cleaning) -> None:
    starts = c.data.get("starts_at")
    if not isinstance(starts, datetime) or starts.tzinfo is None:
        c.fields["starts_at"] = _("Vul een geldige datum en tijd in.")
    c.out["starts_at"] = starts


def _ends(c: Cleaning) -> None:
    ends, start = c.data.get("ends_at"), c.current("starts_at")
    if ends is not None and (not isinstance(ends, datetime) or (isinstance(start, datetime) and ends < start)):
        c.fields["ends_at"] = _("De eindtijd ligt vóór de begintijd.")
    c.out["ends_at"] = ends


def _location(c: Cleaning) -> None:
    c.out["location"] = clean_text(c.fields, "location", c.data.get("location") or "", _("De locatie"), limits.PLACE, required=False) or None


def _online(c: Cleaning) -> None:
    c.out["is_online"] = bool(c.data.get("is_online"))


def _chair(c: Cleaning) -> None:
    code = c.data.get("chair_organisation")
    if code and code not in c.orgs():
        c.fields["chair_organisation"] = _("Onbekende organisatie.")
    c.out["chair_organisation"] = c.orgs().get(code) if code else None


def _visibility(c: Cleaning) -> None:
    visibility = c.data.get("visibility") or "mdt"
    if visibility not in VISIBILITIES:
        c.fields["visibility"] = _("Kies wie de vergadering mag zien.")
    c.out["visibility"] = visibility


def _organisations(c: Cleaning, name: str) -> list[Organisation]:
    codes = c.data.get(name) or []
    unknown = [code for code in codes if code not in c.orgs()]
    if unknown:
        c.fields[name] = _("Onbekende organisatie: %(codes)s.", codes=", ".join(unknown))
    return [c.orgs()[code] for code in dict.fromkeys(codes) if code in c.orgs()]


def _shared_with(c: Cleaning) -> None:
    c.out["shared_with"] = _organisations(c, "shared_with")


def _invited(c: Cleaning) -> None:
    c.out["invited"] = _organisations(c, "invited")
    if not c.data.get("invited") and "invited" not in c.fields:
        c.fields["invited"] = _("Nodig minstens één organisatie uit.")


# (input field, cleaner, also on a create without the field); the start before the end.
_CLEANERS = (
    ("series", _series, True), ("title", _title, True), ("starts_at", _starts, True), ("ends_at", _ends, False),
    ("location", _location, False), ("is_online", _online, False), ("chair_organisation", _chair, False),
    ("visibility", _visibility, True), ("shared_with", _shared_with, False), ("invited", _invited, False),
)


def clean_meeting_data(session: Session, actor: User, data: dict, meeting: Meeting | None = None) -> dict:
    """Check every field of a meeting create or edit; raises ValidationFailed with a Dutch message per field."""
    c = run_cleaners(Cleaning(session, actor, data, meeting), _CLEANERS)
    if c.fields:
        raise ValidationFailed(c.fields)
    return c.out


def create_meeting(session: Session, actor: User, data: dict) -> Meeting:
    if not can_manage(actor):
        raise NotAllowed("only coordinators prepare meetings")
    values = clean_meeting_data(session, actor, data)
    invited = values.pop("invited", [])
    meeting = Meeting(owner_organisation_id=actor.organisation_id, **values)
    session.add(meeting)
    session.flush()
    for org in invited:
        meeting.attendees.append(Attendee(organisation=org, attendance="invited"))
    # Every agenda starts with what is still open from earlier meetings of the series.
    meeting.agenda_items.append(AgendaItem(position=1, title=ACTION_REVIEW_TITLE, is_action_review=True))
    session.flush()
    audit.record("meeting.created", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 series=meeting.series.code, starts_at=meeting.starts_at.isoformat())
    return meeting


def update_meeting(session: Session, actor: User, meeting: Meeting, base_version: int | None, data: dict) -> Meeting:
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators change meetings")
    check_version(session, meeting, base_version, MeetingVersionConflict)
    _unlocked(meeting)
    values = clean_meeting_data(session, actor, data, meeting)
    invited = values.pop("invited", None)
    current = {a.organisation_id: a for a in meeting.attendees if a.user_id is None}
    new_invitations = [org for org in invited or [] if org.id not in current]
    # Rule 3: who is invited and who may see the meeting is the secretariat's (chair organisation's) choice.
    audience.check(actor, meeting, [name for name, value in values.items() if _differs(value, getattr(meeting, name))]
                   + (["invited"] if new_invitations else []))
    for name, value in values.items():
        setattr(meeting, name, value)
    for org in new_invitations:
        meeting.attendees.append(Attendee(organisation=org, attendance="invited"))
    meeting.updated_at = utcnow()
    save(session, meeting, MeetingVersionConflict)
    if not can_view(actor, meeting):
        raise ValidationFailed({"visibility": _("Met deze keuze kunt u de vergadering zelf niet meer zien.")})
    audit.record("meeting.updated", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 fields=sorted(data))
    return meeting


def _differs(new, old) -> bool:
    """A field's new value against the stored one; lists of organisations compare as sets (order is not a change)."""
    if isinstance(new, list) and isinstance(old, list):
        return {o.id for o in new} != {o.id for o in old}
    return new != old


def add_agenda_item(session: Session, actor: User, meeting: Meeting, title: str | None, presenter: str | None = "",
                    duration_minutes: int | None = None, focus_area_code: str | None = None) -> AgendaItem:
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators set the agenda")
    _unlocked(meeting)
    fields: dict[str, str] = {}
    title = clean_text(fields, "title", title, _("De titel"), limits.TITLE)
    presenter = clean_text(fields, "presenter", presenter or "", _("De inleider"), limits.NAME, required=False)
    if duration_minutes is not None and not (isinstance(duration_minutes, int) and 1 <= duration_minutes <= 480):
        fields["duration_minutes"] = _("Een duur van 1 tot 480 minuten.")
    area = focus_areas.by_code(session, focus_area_code)
    if focus_area_code and area is None:
        fields["focus_area"] = _("Kies een bestaand speerpunt.")
    if fields:
        raise ValidationFailed(fields)
    position = (session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)) or 0) + 1
    agenda_item = AgendaItem(position=position, title=title, presenter=presenter or None,
                             duration_minutes=duration_minutes, focus_area_id=area.id if area else None)
    meeting.agenda_items.append(agenda_item)
    session.flush()
    audit.record("meeting.agenda_added", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 agenda_item_id=agenda_item.id)
    return agenda_item


def move_agenda_item(session: Session, actor: User, meeting: Meeting, agenda_item_id: int, direction: str) -> None:
    """Swap with the neighbour above or below; the fixed action review stays first."""
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators set the agenda")
    _unlocked(meeting)
    items = sorted(meeting.agenda_items, key=lambda a: a.position)
    index = next((i for i, a in enumerate(items) if a.id == agenda_item_id), None)
    if index is None:
        raise ValidationFailed({"agenda_item": _("Dit agendapunt hoort niet bij deze vergadering.")})
    if direction not in ("up", "down"):
        raise ValidationFailed({"direction": _("Kies omhoog of omlaag.")})
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(items) or items[index].is_action_review or items[other].is_action_review:
        raise ValidationFailed({"agenda_item": _("Dit agendapunt kan niet verder die kant op.")})
    _bump(session, meeting)
    a, b = items[index], items[other]
    pa, pb = a.position, b.position
    a.position = -1
    session.flush()
    b.position = pa
    session.flush()
    a.position = pb
    session.flush()


def set_attendance(session: Session, actor: User, meeting: Meeting, attendee_id: int, attendance: str) -> None:
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators record attendance")
    audience.require(actor, meeting)
    _unlocked(meeting)
    attendee = next((a for a in meeting.attendees if a.id == attendee_id), None)
    if attendee is None:
        raise ValidationFailed({"attendee": _("Deze persoon of organisatie is niet uitgenodigd voor deze vergadering.")})
    if attendance not in ATTENDANCE:
        raise ValidationFailed({"attendance": _("Kies aanwezig, afgemeld of afwezig.")})
    attendee.attendance = attendance
    session.flush()


def set_attendance_of_organisations(session: Session, actor: User, meeting: Meeting, base_version: int | None,
                                    attendance: dict[str, str]) -> None:
    """Attendance per invited organisation, as one versioned write of the meeting: who was present decides who
    may read restricted minutes, so it never changes silently under someone else's edit."""
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators record attendance")
    audience.require(actor, meeting)
    check_version(session, meeting, base_version, MeetingVersionConflict)
    _unlocked(meeting)
    by_code = {a.organisation.code: a for a in meeting.attendees if a.user_id is None}
    unknown = sorted(set(attendance) - set(by_code))
    if unknown:
        raise ValidationFailed({code: "Deze organisatie is niet uitgenodigd voor deze vergadering." for code in unknown})
    for code, value in attendance.items():
        if value not in ATTENDANCE:
            raise ValidationFailed({code: "Kies aanwezig, afgemeld of afwezig."})
        by_code[code].attendance = value
    _bump(session, meeting)
    audit.record("meeting.attendance", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 attendance=dict(sorted(attendance.items())))


def invite_person(session: Session, actor: User, meeting: Meeting, user_id: int | None) -> Attendee:
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators invite")
    audience.require(actor, meeting)
    _unlocked(meeting)
    person = session.get(User, user_id) if isinstance(user_id, int) else None
    invited_orgs = {a.organisation_id for a in meeting.attendees}
    if person is None or not person.is_active:
        raise ValidationFailed({"user_id": _("Kies een bestaande, actieve gebruiker.")})
    if person.organisation_id not in invited_orgs:
        raise ValidationFailed({"user_id": _("Nodig eerst de organisatie van deze persoon uit.")})
    if any(a.user_id == person.id for a in meeting.attendees):
        raise ValidationFailed({"user_id": _("Deze persoon is al uitgenodigd.")})
    attendee = Attendee(organisation_id=person.organisation_id, user_id=person.id, name=person.name)
    meeting.attendees.append(attendee)
    session.flush()
    return attendee


def _bump(session: Session, meeting: Meeting) -> None:
    """The agenda order is part of the meeting's version: a reorder is a versioned write of the meeting,
    so two reorders based on the same version give one success and one conflict."""
    meeting.updated_at = utcnow()
    save(session, meeting, MeetingVersionConflict)


def _agenda_item(meeting: Meeting, agenda_item_id: int | None) -> AgendaItem:
    item = next((a for a in meeting.agenda_items if a.id == agenda_item_id), None)
    if item is None:
        raise ValidationFailed({"agenda_item": _("Dit agendapunt hoort niet bij deze vergadering.")})
    return item


def change_meeting(session: Session, actor: User, meeting: Meeting, base_version: int | None, data: dict,
                   agenda: list | None = None) -> Meeting:
    """One versioned change of a meeting's fields and/or its agenda order (the API's PATCH)."""
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators change meetings")
    check_version(session, meeting, base_version, MeetingVersionConflict)
    if data:
        update_meeting(session, actor, meeting, base_version, data)
    if agenda is not None:
        reorder_agenda(session, actor, meeting, agenda)
    return meeting


def reorder_agenda(session: Session, actor: User, meeting: Meeting, order: list) -> None:
    """Set the agenda order from a list of this meeting's agenda item ids (the action review stays first)."""
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators set the agenda")
    _unlocked(meeting)
    current = {a.id: a for a in meeting.agenda_items}
    problem = _order_problem(order, current)
    if problem:
        raise ValidationFailed({"agenda": problem})
    _bump(session, meeting)
    for offset, item in enumerate(current.values(), start=1):
        item.position = -offset
    session.flush()
    for position, item_id in enumerate(order, start=1):
        current[item_id].position = position
    session.flush()


def _order_problem(order, current: dict[int, AgendaItem]) -> str | None:
    """What is wrong with a new agenda order: each of this meeting's items once, by number, the action review first."""
    if not isinstance(order, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in order):
        return _("Geef de agendapunten als lijst van nummers.")
    if sorted(order) != sorted(current):
        if any(i not in current for i in order):
            return _("Agendapunten van een andere vergadering kunnen hier niet heen.")
        return _("Noem elk agendapunt van deze vergadering precies één keer.")
    review = [i for i in order if current[i].is_action_review]
    if review and order[0] != review[0]:
        return _("De actielijst van de vorige vergadering blijft het eerste agendapunt.")
    return None


def create_series(session: Session, actor: User, code: str, title: str) -> MeetingSeries:
    """Coordinators add a meeting series; its code prefixes decision numbers (e.g. MDT-2026-07)."""
    if not can_manage(actor):
        raise NotAllowed("only coordinators add series")
    fields: dict[str, str] = {}
    code = (code or "").strip().upper()
    title = clean_text(fields, "title", title, _("De naam"), limits.NAME)
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,15}", code):
        fields["code"] = _("Een code van 2 tot 16 hoofdletters of cijfers, bijvoorbeeld MDT.")
    elif session.scalars(select(MeetingSeries).where(MeetingSeries.code == code)).first():
        fields["code"] = _("Deze code bestaat al.")
    if fields:
        raise ValidationFailed(fields)
    series = MeetingSeries(code=code, title=title)
    session.add(series)
    session.flush()
    audit.record("meeting.series_created", session=session, actor=actor, entity_type="meeting_series", entity_id=series.id, code=code)
    return series

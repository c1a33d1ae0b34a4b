"""Writes for meetings: preparation, agenda, attendance, minutes with approval and errata, decisions."""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import VISIBILITIES, AgendaItem, Attendee, Decision, Erratum, Meeting, MeetingSeries, Minutes, Organisation, User, utcnow

from .. import audience, audit, focus_areas, limits
from ..errors import Locked, NotAllowed, NotFound, ValidationFailed, VersionConflict
from ..i18n import AMSTERDAM
from ..validation import Cleaning, run_cleaners
from ..validation import text as clean_text
from ..writes import check_version, save
from .permissions import attending_organisations, can_manage, can_read_minutes, can_record, can_view

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


def add_agenda_item(session: Session, actor: User, meeting: Meeting, title: str, presenter: str = "",
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


def _agenda_item(meeting: Meeting, agenda_item_id: int) -> AgendaItem:
    item = next((a for a in meeting.agenda_items if a.id == agenda_item_id), None)
    if item is None:
        raise ValidationFailed({"agenda_item": _("Dit agendapunt hoort niet bij deze vergadering.")})
    return item


def save_minutes(session: Session, actor: User, meeting: Meeting, agenda_item_id: int, base_version: int | None,
                 body: str, is_restricted: bool) -> Minutes:
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


def next_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The next meeting of the same series: minutes are approved in (or after) it."""
    return session.scalars(select(Meeting).where(Meeting.series_id == meeting.series_id, Meeting.starts_at > meeting.starts_at)
                           .order_by(Meeting.starts_at)).first()


def approval_date(session: Session, meeting: Meeting) -> date | None:
    """The first day on which the minutes can be approved (Amsterdam), or None while no next meeting is planned."""
    following = next_meeting(session, meeting)
    return following.starts_at.astimezone(AMSTERDAM).date() if following else None


def approve_minutes(session: Session, actor: User, meeting: Meeting, today: date) -> None:
    """Concept -> vastgesteld, at or after the next meeting of the series; locked from then on."""
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators approve minutes")
    if meeting.minutes_status == "vastgesteld":
        raise ValidationFailed({"minutes": _("Deze notulen zijn al vastgesteld.")})
    following = next_meeting(session, meeting)
    if following is None or following.starts_at.astimezone(AMSTERDAM).date() > today:
        raise ValidationFailed({"minutes": _("Notulen worden vastgesteld in (of na) de volgende vergadering van deze reeks.")})
    meeting.minutes_status, meeting.minutes_approved_at, meeting.minutes_approved_by_id = "vastgesteld", utcnow(), actor.id
    session.flush()
    audit.record("meeting.minutes_approved", session=session, actor=actor, entity_type="meeting", entity_id=meeting.id,
                 in_meeting=following.id)


def add_erratum(session: Session, actor: User, meeting: Meeting, agenda_item_id: int, body: str) -> Erratum:
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


def add_decision(session: Session, actor: User, meeting: Meeting, agenda_item_id: int | None, text: str,
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
    if not isinstance(order, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in order):
        raise ValidationFailed({"agenda": _("Geef de agendapunten als lijst van nummers.")})
    if sorted(order) != sorted(current):
        foreign = [i for i in order if i not in current]
        raise ValidationFailed({"agenda": _("Agendapunten van een andere vergadering kunnen hier niet heen.") if foreign
                                else _("Noem elk agendapunt van deze vergadering precies één keer.")})
    review = [i for i in order if current[i].is_action_review]
    if review and order[0] != review[0]:
        raise ValidationFailed({"agenda": _("De actielijst van de vorige vergadering blijft het eerste agendapunt.")})
    _bump(session, meeting)
    for offset, item in enumerate(current.values(), start=1):
        item.position = -offset
    session.flush()
    for position, item_id in enumerate(order, start=1):
        current[item_id].position = position
    session.flush()


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

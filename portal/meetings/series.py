"""Meetings as a series: a standard agenda, the next meeting prepared from this one in one step, and the minutes of a
period compiled into one document (each meeting's restricted minutes only for the organisations present at it)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import AgendaItem, Meeting, MeetingSeries, User

from .. import audit, limits
from ..errors import NotAllowed, ValidationFailed
from ..i18n import AMSTERDAM, long_date
from . import exports, queries, record, services
from .permissions import can_manage, can_read_minutes, visible_clause

MAX_POINTS = 30
DEFAULT_INTERVAL = timedelta(days=28)


def standard_points(series: MeetingSeries) -> list[str]:
    return [line.strip() for line in (series.standard_agenda or "").splitlines() if line.strip()]


def set_standard_agenda(session: Session, actor: User, series: MeetingSeries, text: str) -> None:
    if not can_manage(actor):
        raise NotAllowed("only coordinators keep the standard agenda")
    points = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(points) > MAX_POINTS:
        raise ValidationFailed({"standard_agenda": str(_l("Hoogstens %(max)d agendapunten.", max=MAX_POINTS))})
    if any(len(p) > limits.TITLE for p in points):
        raise ValidationFailed({"standard_agenda": str(_l("Een agendapunt is hoogstens %(max)d tekens lang.", max=limits.TITLE))})
    before = standard_points(series)
    series.standard_agenda = "\n".join(points) or None
    session.flush()
    audit.record("meeting.standard_agenda_changed", session=session, actor=actor, entity_type="meeting_series", entity_id=series.id,
                 before=before, after=points)


def suggested_start(meeting: Meeting) -> datetime:
    """Four weeks later, same weekday and time (Amsterdam)."""
    return (meeting.starts_at.astimezone(AMSTERDAM) + DEFAULT_INTERVAL).replace(second=0, microsecond=0)


def open_points(meeting: Meeting, viewer: User) -> list[AgendaItem]:
    """Agenda points of this meeting that got no minutes, as the viewer sees them: they come back on the next agenda.
    Restricted minutes the viewer may not read do not exist for the viewer (rule 5), so that point counts as open too:
    what is carried over never hints at minutes someone cannot read."""
    return [a for a in meeting.agenda_items
            if not a.is_action_review and (a.minutes is None or not can_read_minutes(viewer, meeting, a.minutes))]


def prepare_next(session: Session, actor: User, meeting: Meeting, starts_at: datetime | None) -> Meeting:
    """The next meeting of the series from this one: same invitations, place and visibility; the agenda starts with
    the carried-over action list, then the series' standard agenda, then the points left open here."""
    if not can_manage(actor, meeting):
        raise NotAllowed("only coordinators prepare meetings")
    following = record.next_meeting(session, meeting, actor)
    if following is not None:
        raise ValidationFailed({"starts_at": str(_l("De volgende vergadering van deze reeks is al voorbereid: %(title)s.",
                                                    title=following.title))})
    starts = starts_at or suggested_start(meeting)
    if starts <= meeting.starts_at:
        raise ValidationFailed({"starts_at": str(_l("De volgende vergadering begint na deze."))})
    duration = (meeting.ends_at - meeting.starts_at) if meeting.ends_at else None
    data = {"series": meeting.series.code, "title": f"{meeting.series.title} {long_date(starts.astimezone(AMSTERDAM).date(), 'nl')}",
            "starts_at": starts, "ends_at": starts + duration if duration else None, "location": meeting.location,
            "is_online": meeting.is_online, "visibility": meeting.visibility,
            "shared_with": [o.code for o in meeting.shared_with],
            "invited": sorted({a.organisation.code for a in meeting.attendees if a.user_id is None})}
    if meeting.chair_organisation is not None:
        data["chair_organisation"] = meeting.chair_organisation.code
    following = services.create_meeting(session, actor, data)
    for title in standard_points(meeting.series):
        services.add_agenda_item(session, actor, following, title)
    for point in open_points(meeting, actor):
        services.add_agenda_item(session, actor, following, point.title, point.presenter or "", point.duration_minutes,
                                 point.focus_area.code if point.focus_area else None)
    audit.record("meeting.prepared_from", session=session, actor=actor, entity_type="meeting", entity_id=following.id,
                 previous=meeting.id)
    return following


def compiled(session: Session, viewer: User, series: MeetingSeries, start: date, end: date) -> list[dict]:
    """The export context of every meeting of the series in the period that the viewer may see, oldest first; each
    one decides per meeting which restricted minutes the viewer may read (exports.context)."""
    if end < start:
        raise ValidationFailed({"to": str(_l("Het einde van de periode ligt vóór het begin."))})
    if (end - start).days > 3 * 366:
        raise ValidationFailed({"to": str(_l("Kies een periode van hoogstens drie jaar."))})
    first = datetime.combine(start, time(0), tzinfo=AMSTERDAM)
    last = datetime.combine(end + timedelta(days=1), time(0), tzinfo=AMSTERDAM)
    meetings = session.scalars(select(Meeting).where(Meeting.series_id == series.id, Meeting.starts_at >= first, Meeting.starts_at < last,
                                                     visible_clause(viewer))
                               .order_by(Meeting.starts_at)
                               .options(selectinload(Meeting.agenda_items).joinedload(AgendaItem.minutes), selectinload(Meeting.attendees),
                                        joinedload(Meeting.series))).unique().all()
    return [exports.context(m, viewer, list(session.scalars(queries.decisions(viewer, meeting_id=m.id))),
                            queries.meeting_actions(session, viewer, m)) for m in meetings]

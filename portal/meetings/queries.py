"""Reads for meetings: lists, the carried-over action list, the decisions register."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import OPEN_STATUSES, ActionItem, AgendaItem, Attendee, Decision, FocusArea, Meeting, MeetingSeries, Minutes, Organisation, ProgressUpdate, User

from .. import likes
from ..actions.permissions import visible_clause as item_visible
from ..cache import cache
from ..statements import built
from ..visibility import ViewerScope
from ..visibility import scope as visibility_scope
from .permissions import visible_clause


def visible_meetings(user: User | None) -> Select:
    return (select(Meeting).where(visible_clause(user)).order_by(Meeting.starts_at.desc())
            .options(joinedload(Meeting.series), joinedload(Meeting.chair_organisation)))


# A meeting with attendees and agenda (minutes and errata joined): three statements.
DETAIL_OPTIONS = (
    joinedload(Meeting.series), joinedload(Meeting.chair_organisation),
    # Attendees in the meeting's own statement (a dozen rows at most); the agenda with its minutes in one more.
    joinedload(Meeting.attendees).joinedload(Attendee.organisation), joinedload(Meeting.attendees).joinedload(Attendee.user),
    selectinload(Meeting.agenda_items).joinedload(AgendaItem.minutes).joinedload(Minutes.errata),
    selectinload(Meeting.agenda_items).joinedload(AgendaItem.focus_area),
)


CARRIED_LIMIT = 50


@dataclass(frozen=True)
class Carried:
    """One row of the carried-over action list."""
    id: int
    title: str
    status: str
    closure_state: str
    progress: int
    owner_code: str
    recorded_at: datetime | None
    note: str | None


def carried_actions(session: Session, viewer: User, meeting: Meeting) -> list[Carried]:
    """The most urgent open action items from earlier meetings of the series, each with its latest update: one statement.

    Up to 50 rows on every meeting page, so they are kept in the shared cache (portal.cache) per
    meeting and organisation; any committed change to items, updates or meetings invalidates it.
    """
    seen = visibility_scope(viewer)
    rows = cache().get_or_compute(
        "carried", (meeting.id,),
        lambda: [[*row[:6], row.recorded_at.isoformat() if row.recorded_at else None, row.note]
                 for row in session.execute(_carried(seen, meeting.series_id, meeting.starts_at))],
        scope=seen)
    return [Carried(item_id, title, status, closure, progress, owner, datetime.fromisoformat(at) if at else None, note)
            for item_id, title, status, closure, progress, owner, at, note in rows]


@built
def _carried(viewer: ViewerScope, series_id: int, starts_at: datetime) -> Select:
    earlier = select(Meeting.id).where(Meeting.series_id == series_id, Meeting.starts_at < starts_at)
    latest = (select(ProgressUpdate).where(ProgressUpdate.action_item_id == ActionItem.id)
              .order_by(ProgressUpdate.recorded_at.desc(), ProgressUpdate.id.desc()).limit(1))
    return (select(ActionItem.id, ActionItem.title, ActionItem.status, ActionItem.closure_state, ActionItem.progress,
                   Organisation.code.label("owner_code"),
                   latest.with_only_columns(ProgressUpdate.recorded_at).scalar_subquery().label("recorded_at"),
                   latest.with_only_columns(ProgressUpdate.note).scalar_subquery().label("note"))
            .join(Organisation, Organisation.id == ActionItem.owner_organisation_id)
            .where(ActionItem.meeting_id.in_(earlier), ActionItem.status.in_(OPEN_STATUSES), item_visible(viewer))
            .order_by(ActionItem.due_date.asc().nulls_last(), ActionItem.id).limit(CARRIED_LIMIT))


def meeting_actions(session: Session, viewer: User, meeting: Meeting) -> list[ActionItem]:
    return list(session.scalars(_meeting_actions(visibility_scope(viewer), meeting.id)))


@built
def _meeting_actions(viewer: ViewerScope, meeting_id: int) -> Select:
    return (select(ActionItem).where(ActionItem.meeting_id == meeting_id, item_visible(viewer)).order_by(ActionItem.id)
            .options(joinedload(ActionItem.owner_organisation)))


def _decision_readable(viewer: ViewerScope, per_row: bool = False):
    """Rule 5: a decision taken under restricted minutes is restricted like them (organisations present only).
    per_row: its minutes and the viewer's presence as correlated probes, for one meeting's few decisions (the register
    reads every decision, and builds the restricted minutes and the meetings attended once)."""
    if viewer.organisation_id is None:
        return false()
    restricted = select(Minutes.agenda_item_id).where(Minutes.is_restricted.is_(True))
    present = select(Attendee.meeting_id).where(Attendee.organisation_id == viewer.organisation_id, Attendee.attendance == "present")
    if per_row:
        return or_(Decision.agenda_item_id.is_(None), ~restricted.where(Minutes.agenda_item_id == Decision.agenda_item_id).exists(),
                   present.where(Attendee.meeting_id == Decision.meeting_id).exists())
    return or_(Decision.agenda_item_id.is_(None), Decision.agenda_item_id.not_in(restricted), Decision.meeting_id.in_(present))


def decisions(viewer: User, series_code: str | None = None, year: int | None = None, focus_area: str | None = None,
              q: str = "", meeting_id: int | None = None) -> Select:
    return _decisions(visibility_scope(viewer), series_code, year, focus_area, q, meeting_id)


@built
def _decisions(viewer: ViewerScope, series_code: str | None, year: int | None, focus_area: str | None, q: str, meeting_id: int | None) -> Select:
    stmt = (select(Decision).join(Meeting, Decision.meeting_id == Meeting.id)
            .where(visible_clause(viewer), _decision_readable(viewer, per_row=meeting_id is not None))
            .order_by(Decision.year, Decision.sequence)
            .options(joinedload(Decision.meeting), joinedload(Decision.series), joinedload(Decision.focus_area),
                     joinedload(Decision.agenda_item)))
    if series_code:
        stmt = stmt.where(Decision.series_id.in_(select(MeetingSeries.id).where(MeetingSeries.code == series_code)))
    if year:
        stmt = stmt.where(Decision.year == year)
    if focus_area:
        stmt = stmt.where(Decision.focus_area_id.in_(select(FocusArea.id).where(FocusArea.code == focus_area)))
    if meeting_id:
        stmt = stmt.where(Decision.meeting_id == meeting_id)
    if q:
        pattern = likes.contains(q)
        stmt = stmt.where(or_(Decision.text.ilike(pattern, escape=likes.ESCAPE), Decision.number.ilike(pattern, escape=likes.ESCAPE)))
    return stmt

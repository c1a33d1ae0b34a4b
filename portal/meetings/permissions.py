"""Who may see a meeting, read restricted minutes, and write in it: the one rule, as Python and as SQL."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select

from models import AgendaItem, Attendee, Meeting, Minutes, User, meeting_shares

from ..visibility import ViewerScope, as_scope, can_view_record, clause


def can_view(user: User | None, meeting: Meeting) -> bool:
    return can_view_record(user, meeting)


def _shared_with(org_id: int):
    return select(meeting_shares.c.meeting_id).where(meeting_shares.c.organisation_id == org_id)


def visible_clause(user: User | ViewerScope | None, per_row: bool = False) -> ColumnElement[bool]:
    return clause(user, Meeting.visibility, Meeting.owner_organisation_id, Meeting.id, _shared_with, per_row)


def attending_organisations(meeting: Meeting) -> set[int]:
    """Organisations present at the meeting (the audience of restricted minutes)."""
    return {a.organisation_id for a in meeting.attendees if a.attendance == "present"}


def invited_organisations(meeting: Meeting) -> set[int]:
    return {a.organisation_id for a in meeting.attendees}


def can_read_minutes(user: User | None, meeting: Meeting, minutes: Minutes | None) -> bool:
    if user is None or not can_view(user, meeting):
        return False
    if minutes is None or not minutes.is_restricted:
        return True
    return user.organisation_id in attending_organisations(meeting)


def restricted_minutes_clause(user: User | ViewerScope | None, per_row: bool = False) -> ColumnElement[bool]:
    """SQL: minutes the user may read (meeting visible, and not restricted or the user's organisation was present).
    per_row: as visibility.clause, for a statement that checks minutes one by one."""
    seen = as_scope(user)
    if seen.organisation_id is None:
        return false()
    present = select(Attendee.meeting_id).where(Attendee.organisation_id == seen.organisation_id, Attendee.attendance == "present")
    was_present = present.where(Attendee.meeting_id == AgendaItem.meeting_id).exists() if per_row else AgendaItem.meeting_id.in_(present)
    return and_(visible_clause(seen, per_row), or_(Minutes.is_restricted.is_(False), was_present))


def can_manage(user: User | None, meeting: Meeting | None = None) -> bool:
    """Coordinators prepare meetings: agenda, invitations, attendance, approval."""
    return user is not None and user.role == "coordinator" and (meeting is None or can_view(user, meeting))


def can_record(user: User | None, meeting: Meeting) -> bool:
    """Minutes and decisions: coordinators, and members of invited organisations."""
    if user is None or not can_view(user, meeting) or user.role == "reader":
        return False
    return user.role == "coordinator" or user.organisation_id in invited_organisations(meeting)

"""The action-item status vocabulary and the one rule for "late" (contract rule 2), for live SQL and frozen rows."""
from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_

# awaiting_confirmation: the owner reported the item done (first key); it is not done, and counts as not done,
# until a coordinator other than the requester confirms it (second key). Contract rule 1.
STATUSES = ("open", "in_progress", "blocked", "awaiting_confirmation", "done", "cancelled")
FINISHED = ("done", "cancelled")
OPEN_STATUSES = tuple(s for s in STATUSES if s not in FINISHED)  # not finished: counted as open work
UPDATE_STATUSES = ("open", "in_progress", "blocked")  # what a progress update may set; the owner's work in hand


def is_late(due: date | None, status: str, day: date) -> bool:
    """Late on day D (today in Europe/Amsterdam, or a report's peildatum): due before D and not finished."""
    return due is not None and due < day and status not in FINISHED


def late_clause(status, due_date, day: date) -> ColumnElement[bool]:
    """The same rule as SQL over the given status and due-date columns."""
    return and_(due_date < day, status.not_in(FINISHED))

"""What waits for a coordinator on the start page: closures to confirm, toezeggingen and expected figures coming due,
the update round's progress per organisation. Each a count of exactly the rows its link (or the list under it) shows,
over what the coordinator may see."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from models import ExpectedFigure, Indicator, Measurement, UpdateRound, User

from ..framework import parliament
from ..framework.permissions import can_weigh
from ..reports import rounds
from ..statements import built
from ..visibility import ViewerScope, indicator_clause
from ..visibility import scope as visibility_scope

SOON_DAYS = 14


def expected_due(session: Session, viewer: User, today: date) -> list[ExpectedFigure]:
    """Figures not yet delivered, of indicators the viewer may see, due within two weeks or late."""
    return list(session.scalars(_expected_due(visibility_scope(viewer), today)))


@built
def _expected_due(viewer: ViewerScope, today: date) -> Select:
    delivered = select(Measurement.id).where(Measurement.indicator_id == ExpectedFigure.indicator_id, Measurement.period == ExpectedFigure.period)
    return (select(ExpectedFigure).join(Indicator).where(
        indicator_clause(viewer), ~delivered.exists(), ExpectedFigure.due_on <= today + timedelta(days=SOON_DAYS))
        .order_by(ExpectedFigure.due_on, ExpectedFigure.id).options(joinedload(ExpectedFigure.indicator)))


def home(session: Session, viewer: User, today: date, open_round: UpdateRound | None, awaiting: int) -> dict | None:
    """None for anyone but a coordinator. `open_round` and `awaiting` (closures to confirm, counted with the start page's
    other figures) come from the page, which asks for each once."""
    if not can_weigh(viewer):
        return None
    return {"awaiting": awaiting, "parliament_due": parliament.coming_due(session, today, SOON_DAYS), "expected_due": expected_due(session, viewer, today),
            "round": open_round, "round_overview": rounds.overview(session, viewer, open_round) if open_round else None}

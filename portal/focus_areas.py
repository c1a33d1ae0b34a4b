"""Focus areas by code. A later framework may reuse codes ("3.1"): a code means the focus area of the framework in force
on the day (today), else of the newest framework that has the code."""
from __future__ import annotations

from datetime import date

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from models import FocusArea, Framework

from .i18n import today


def by_code(session: Session, code: str | None, on: date | None = None) -> FocusArea | None:
    if not code:
        return None
    on = on or today()
    started = case((Framework.period_start <= on, 0), else_=1)
    return session.scalars(select(FocusArea).join(Framework).where(FocusArea.code == code)
                           .order_by(started, Framework.period_start.desc(), Framework.id.desc()).limit(1)).first()


def ordered(session: Session, on: date | None = None) -> list[FocusArea]:
    """Every focus area for a choice list: the framework in force first, then the others newest first, each in its own
    order (never the frameworks' areas interleaved: 3.1, 1, 3.2, 2)."""
    on = on or today()
    in_force = case(((Framework.period_start <= on) & (Framework.period_end >= on), 0), else_=1)
    return list(session.scalars(select(FocusArea).join(Framework)
                                .order_by(in_force, Framework.period_start.desc(), Framework.id.desc(), FocusArea.position)))


def of_any_framework(session: Session, code: str) -> FocusArea | None:
    """A focus area by its code in whichever framework has it (the oldest first, should two share a code)."""
    return session.scalars(select(FocusArea).where(FocusArea.code == code).order_by(FocusArea.id)).first()

"""Reads for the framework and recommendation pages, each a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from models import (
    CapacityLine,
    Commitment,
    FocusArea,
    Framework,
    Indicator,
    Recommendation,
    Source,
    commitment_carryovers,
    indicator_commitments,
)

from ..statements import built


def frameworks() -> Select:
    return (
        select(Framework)
        .order_by(Framework.period_start)
        .options(
            selectinload(Framework.source),
            selectinload(Framework.focus_areas).selectinload(FocusArea.commitments),
        )
    )


def recommendations() -> Select:
    return (
        select(Recommendation)
        .join(Recommendation.source)
        .order_by(Source.year.desc(), Source.key, Recommendation.number)
        .options(
            selectinload(Recommendation.source),
            selectinload(Recommendation.addressees),
            selectinload(Recommendation.focus_areas),
        )
    )




def in_force(session, on, framework_id: int | None = None) -> Framework | None:
    """The framework asked for, else the one in force on the date (the latest that started by then), else the first."""
    return choose(all_frameworks(session), on, framework_id)


def choose(frameworks: list[Framework], on, framework_id: int | None = None) -> Framework | None:
    if framework_id is not None:
        return next((f for f in frameworks if f.id == framework_id), None)
    started = [f for f in frameworks if f.period_start <= on]
    return started[0] if started else (frameworks[-1] if frameworks else None)


def all_frameworks(session) -> list[Framework]:
    """Newest first, each with its source, focus areas and commitments: one query (there are a handful)."""
    return list(session.scalars(_all_frameworks()).unique())


@built
def _all_frameworks() -> Select:
    return select(Framework).order_by(Framework.period_start.desc(), Framework.id.desc()).options(
        joinedload(Framework.source), joinedload(Framework.focus_areas).joinedload(FocusArea.commitments))


def capacity(session) -> list[CapacityLine]:
    """Capacity and budget lines as the sources publish them: one query."""
    return list(session.scalars(_capacity()))


@built
def _capacity() -> Select:
    return select(CapacityLine).order_by(CapacityLine.id).options(joinedload(CapacityLine.organisation), joinedload(CapacityLine.source))


def commitment_indicators(session, commitment_id: int) -> list[Indicator]:
    return list(session.scalars(select(Indicator).join(indicator_commitments, indicator_commitments.c.indicator_id == Indicator.id)
                                .where(indicator_commitments.c.commitment_id == commitment_id).order_by(Indicator.title)))


def carryovers(session, commitment_id: int) -> dict[str, list[Commitment]]:
    """The commitments this one continues (earlier framework) and those that continue it (later framework): one query."""
    link = commitment_carryovers.c
    rows = session.execute(select(Commitment, link.from_commitment_id).join(
        commitment_carryovers, or_(and_(link.to_commitment_id == commitment_id, link.from_commitment_id == Commitment.id),
                                   and_(link.from_commitment_id == commitment_id, link.to_commitment_id == Commitment.id)))
        .options(joinedload(Commitment.focus_area).joinedload(FocusArea.framework))).all()
    return {"from": [c for c, origin in rows if origin == c.id], "to": [c for c, origin in rows if origin == commitment_id]}

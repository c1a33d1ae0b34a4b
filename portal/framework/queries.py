"""Reads for the framework and recommendation pages, each a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from models import FocusArea, Framework, Recommendation, Source


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
            selectinload(Recommendation.addressee),
            selectinload(Recommendation.focus_areas),
        )
    )



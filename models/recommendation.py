"""Recommendations from reviews and letters, with the government's response."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CorrectableMixin, TimestampMixin, in_list
from .framework import FocusArea
from .organisation import Organisation
from .source import Source

RESPONSES = ("overgenomen", "deels", "niet", "onbekend")
# A recommendation of a review, or a measure a minister announced in a letter (followed up the same way).
RECOMMENDATION_KINDS = ("aanbeveling", "maatregel")

recommendation_focus_areas = Table(
    "recommendation_focus_areas",
    Base.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The organisations a recommendation is addressed to (the Inspectie's "KMar en Politie").
recommendation_addressees = Table(
    "recommendation_addressees",
    Base.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Recommendation(CorrectableMixin, TimestampMixin, Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("source_id", "number"),
        CheckConstraint(in_list("response", RESPONSES), name="response"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(String(16), default="onbekend")
    kind: Mapped[str] = mapped_column(String(16), default="aanbeveling", server_default="aanbeveling")
    # The source's own words this rests on (from the reference data; a test finds them in the document).
    quote: Mapped[str | None] = mapped_column(Text)
    retired_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    source: Mapped[Source] = relationship()
    addressees: Mapped[list[Organisation]] = relationship(secondary=recommendation_addressees, order_by=Organisation.code)
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=recommendation_focus_areas, order_by=FocusArea.position
    )

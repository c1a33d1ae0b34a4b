"""Recommendations from reviews and letters, with the government's response."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, in_list
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


class Recommendation(TimestampMixin, Base):
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
    addressee_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    response: Mapped[str] = mapped_column(String(16), default="onbekend")
    kind: Mapped[str] = mapped_column(String(16), default="aanbeveling", server_default="aanbeveling")

    source: Mapped[Source] = relationship()
    addressee: Mapped[Organisation | None] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=recommendation_focus_areas, order_by=FocusArea.position
    )

"""The policy framework (Beleidskader 2023-2026), its focus areas and commitments."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CorrectableMixin, TimestampMixin
from .source import Source


class Framework(TimestampMixin, Base):
    __tablename__ = "frameworks"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    period_start: Mapped[date]
    period_end: Mapped[date]
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    # What the sources leave open (an assumed period, pages that are missing).
    note: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source | None] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(
        back_populates="framework", order_by="FocusArea.position"
    )


class FocusArea(TimestampMixin, Base):
    __tablename__ = "focus_areas"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)
    # A caveat on the data itself (e.g. only announced; content on missing pages).
    note: Mapped[str | None] = mapped_column(Text)
    # The source's own words this rests on (from the reference data; a test finds them in the document).
    quote: Mapped[str | None] = mapped_column(Text)

    framework: Mapped[Framework] = relationship(back_populates="focus_areas")
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="focus_area", order_by="Commitment.position"
    )


class Commitment(CorrectableMixin, TimestampMixin, Base):
    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("focus_area_id", "position"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    # Weight in roll-ups; equal unless a coordinator sets otherwise.
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1"))
    note: Mapped[str | None] = mapped_column(Text)
    # The source's own words this rests on (from the reference data; a test finds them in the document).
    quote: Mapped[str | None] = mapped_column(Text)
    retired_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    focus_area: Mapped[FocusArea] = relationship(back_populates="commitments")

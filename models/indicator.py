"""Indicator series and their measured figures."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CorrectableMixin, TimestampMixin, UTCDateTime, in_list
from .framework import FocusArea
from .organisation import Organisation
from .source import Source
from .user import User

DIRECTIONS = ("higher", "lower")
INDICATOR_VISIBILITIES = ("organisation", "mdt", "public")


class Indicator(CorrectableMixin, TimestampMixin, Base):
    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint(in_list("direction", DIRECTIONS), name="direction"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(32))
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    # NULL when the sources do not say which way is better.
    direction: Mapped[str | None] = mapped_column(String(8))
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    baseline_year: Mapped[int | None]
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target_year: Mapped[int | None]
    # Who publishes the figures (Nationaal Rapporteur, Rechtspraak, CBS, an agency); the owner organisation enters them.
    producer: Mapped[str | None] = mapped_column(String(200))
    # The source's own words this rests on (from the reference data; a test finds them in the document).
    quote: Mapped[str | None] = mapped_column(Text)
    # The organisation that publishes them, when it is one the portal knows (often an extern one: the Nationaal Rapporteur).
    producer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # Like an item: organisation (owner only), mdt (MDT members), public (every signed-in user).
    visibility: Mapped[str] = mapped_column(String(16), default="public", server_default="public")
    # The reporting cycle: a figure is expected every so many months, delivered by the responsible person.
    frequency_months: Mapped[int | None]
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retired_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    owner_organisation: Mapped[Organisation] = relationship(foreign_keys=[owner_organisation_id])
    producer_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[producer_organisation_id])
    focus_area: Mapped[FocusArea | None] = relationship()
    source: Mapped[Source | None] = relationship()
    responsible: Mapped[User | None] = relationship()
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator", order_by="Measurement.period_end"
    )


class Measurement(Base):
    """A figure for one period. value NULL = published as not available (a gap, not zero)."""

    __tablename__ = "measurements"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period"),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))  # label, e.g. "2015" or "2024-Q3"
    period_start: Mapped[date]
    period_end: Mapped[date]
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    source_text: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Why the parts of its breakdown do not add up to the figure (empty when they do).
    breakdown_note: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")
    parts: Mapped[list[MeasurementPart]] = relationship(order_by="MeasurementPart.position", cascade="all, delete-orphan")
    source: Mapped[Source | None] = relationship()
    entered_by: Mapped[User | None] = relationship()


class MeasurementPart(Base):
    """A figure by category: the Doorlichting's victims "270 446" (Dutch, non-Dutch) of a total of 716."""

    __tablename__ = "measurement_parts"
    __table_args__ = (UniqueConstraint("measurement_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measurement_id: Mapped[int] = mapped_column(ForeignKey("measurements.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    category: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))

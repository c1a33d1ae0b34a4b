"""Measurable goals and follow-up: targets, indicator definitions and corrections, responses, commitments to Parliament.

Every table that records a decision keeps its history as rows: a changed target or
response is a new row, a corrected figure keeps its old value in a correction row.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, UTCDateTime, in_list
from .framework import Commitment
from .indicator import Indicator, Measurement
from .organisation import Organisation
from .recommendation import Recommendation
from .source import Source
from .user import User

TARGET_DIRECTIONS = ("at_least", "at_most")
STANCES = ("overgenomen", "deels", "niet", "onbekend")
PARLIAMENT_KINDS = ("toezegging", "motie")
PARLIAMENT_STATUSES = ("open", "fulfilled", "partly_fulfilled", "lapsed")
# What a sent letter does to a commitment it answers.
ANSWER_STATUSES = ("fulfilled", "partly_fulfilled")

indicator_commitments = Table(
    "indicator_commitments",
    Base.metadata,
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# A commitment of a later framework that continues one of an earlier framework.
commitment_carryovers = Table(
    "commitment_carryovers",
    Base.metadata,
    Column("from_commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("to_commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# "Asks the same as": stored once per pair, lower id first.
recommendation_links = Table(
    "recommendation_links",
    Base.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True, index=True),
    CheckConstraint("recommendation_id < related_id", name="ordered"),
)

parliament_items = Table(
    "parliament_items",
    Base.metadata,
    Column("parliament_commitment_id", ForeignKey("parliament_commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("action_item_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Target(Base):
    """One decision about a target: the value for a period, in force from valid_from until a later row replaces it."""

    __tablename__ = "targets"
    __table_args__ = (
        CheckConstraint(in_list("direction", TARGET_DIRECTIONS), name="direction"),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    period: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date]
    period_end: Mapped[date]
    # NULL: the target was withdrawn from valid_from on.
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    unit: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # The document that set the target ("Het gezag geeft jaarlijks in de prioriteitenbrief nadere richtlijnen").
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    commitment: Mapped[Commitment] = relationship()
    source: Mapped[Source | None] = relationship()
    indicator: Mapped[Indicator | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    set_by: Mapped[User | None] = relationship()


class IndicatorDefinition(Base):
    """A version of an indicator's definition; figures for periods from valid_from on belong to it."""

    __tablename__ = "indicator_definitions"
    __table_args__ = (UniqueConstraint("indicator_id", "version"), CheckConstraint("version >= 1", name="version_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    version: Mapped[int]
    definition: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date]
    # Why the series breaks here (shown as a marker in tables and charts).
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeasurementCorrection(Base):
    """A corrected figure: the value before, the value after and why. Never deleted."""

    __tablename__ = "measurement_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    measurement_id: Mapped[int] = mapped_column(ForeignKey("measurements.id", ondelete="CASCADE"), index=True)
    old_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    new_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime())

    measurement: Mapped[Measurement] = relationship()
    corrected_by: Mapped[User | None] = relationship()


class ExpectedFigure(Base):
    """A figure the producing organisation is to deliver by a due date (reminded once per day at most)."""

    __tablename__ = "expected_figures"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date]
    reminded_on: Mapped[date | None]

    indicator: Mapped[Indicator] = relationship()


class RecommendationResponse(Base):
    """The government's response to a recommendation as recorded at one moment; the latest row is the current one."""

    __tablename__ = "recommendation_responses"
    __table_args__ = (CheckConstraint(in_list("stance", STANCES), name="stance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    stance: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    responded_on: Mapped[date | None]
    document_source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    document_title: Mapped[str] = mapped_column(String(500), default="")
    kamerstuk: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    recommendation: Mapped[Recommendation] = relationship()
    document: Mapped[Source | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class ParliamentCommitment(TimestampMixin, Base):
    """A toezegging or motie: what was promised to Parliament, by whom, by when, and the letter that fulfils it."""

    __tablename__ = "parliament_commitments"
    __table_args__ = (
        CheckConstraint(in_list("kind", PARLIAMENT_KINDS), name="kind"),
        CheckConstraint(in_list("status", PARLIAMENT_STATUSES), name="status"),
        CheckConstraint("due_end >= due_start", name="due_order"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set for commitments from the reference data (idempotent reloads), NULL for those entered in the portal.
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    kamerstuk: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    # The source's own words this rests on (from the reference data; a test finds them in the document).
    quote: Mapped[str | None] = mapped_column(Text)
    made_on: Mapped[date | None]
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # "medio 2022" is kept as said and as the date range it stands for.
    due_label: Mapped[str] = mapped_column(String(64), default="")
    due_start: Mapped[date | None]
    due_end: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    # The day it was fulfilled or lapsed: "open as of a date" reads it.
    closed_on: Mapped[date | None]
    fulfilled_by_source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    fulfilled_note: Mapped[str] = mapped_column(Text, default="")
    reminded_on: Mapped[date | None]
    # Where it was made (a debate, a document) and by or to whom (the Kamerlid who asked, the motie's submitter).
    made_in: Mapped[str] = mapped_column(String(300), default="", server_default="")
    member: Mapped[str] = mapped_column(String(200), default="", server_default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    source: Mapped[Source | None] = relationship(foreign_keys=[source_id])
    fulfilled_by: Mapped[Source | None] = relationship(foreign_keys=[fulfilled_by_source_id])
    owner_organisation: Mapped[Organisation | None] = relationship()


class DueChange(Base):
    """A changed term of a toezegging: the term before, when and why (the griffie's "nieuwe termijn")."""

    __tablename__ = "parliament_due_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    parliament_commitment_id: Mapped[int] = mapped_column(ForeignKey("parliament_commitments.id", ondelete="CASCADE"), index=True)
    due_label: Mapped[str] = mapped_column(String(64), default="")
    changed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ParliamentAnswer(Base):
    """A sent letter that answered a toezegging or motie, wholly or in part."""

    __tablename__ = "parliament_answers"
    __table_args__ = (
        UniqueConstraint("parliament_commitment_id", "source_id"),
        CheckConstraint(in_list("status", ANSWER_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parliament_commitment_id: Mapped[int] = mapped_column(ForeignKey("parliament_commitments.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    source: Mapped[Source] = relationship()


class CapacityLine(TimestampMixin, Base):
    """Capacity or money published in a source: '12 liaisons', '26 FTE (2009)', '2 miljoen structureel', a yearly budget
    (unit "euro per jaar"; the budget lines of the first schema live here since c9d0e1f2a3b4)."""

    __tablename__ = "capacity_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    applies_to: Mapped[str] = mapped_column(String(200), default="")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation | None] = relationship()
    source: Mapped[Source] = relationship()

"""Frozen progress reports (Kamerbrief annexes), narratives and update rounds."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, JSONType, TimestampMixin, UTCDateTime, in_list
from .framework import FocusArea
from .organisation import Organisation
from .user import User

NARRATIVE_STATUSES = ("draft", "approved")


class Report(CreatedMixin, Base):
    """The state as of a reference date, computed once and never recomputed."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[date] = mapped_column(index=True)
    # Large (every item as of the date): loaded only when a page needs it, never for lists.
    snapshot: Mapped[dict] = mapped_column(JSONType, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    previous_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    # The letter to Parliament this report was the annex of, once sent (a source of kind kamerbrief).
    sent_source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True, unique=True)

    created_by: Mapped[User | None] = relationship()


# Written with the report from its snapshot (reports.services.create_report), so that a recommendation's page finds the
# reports it is in, and counts their rows linked to it, without reading any snapshot: the recommendations frozen in a
# report, and per recommendation each frozen row linked to it with what rule 7 checks of a frozen row.
report_recommendations = Table(
    "report_recommendations",
    Base.metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", Integer, primary_key=True, index=True),
)
report_recommendation_rows = Table(
    "report_recommendation_rows",
    Base.metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", Integer, primary_key=True, index=True),
    Column("item_id", Integer, primary_key=True),
    Column("owner", String(16), nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("shared_with", JSONType, nullable=False),  # the organisations' codes, as frozen
)


class ReportNarrative(TimestampMixin, Base):
    """An organisation's short text per focus area for one report."""

    __tablename__ = "report_narratives"
    __table_args__ = (
        UniqueConstraint("report_id", "focus_area_id", "organisation_id"),
        CheckConstraint(in_list("status", NARRATIVE_STATUSES), name="status"),
        CheckConstraint(in_list("visibility", ("mdt", "public")), name="visibility"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16), default="mdt")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    focus_area: Mapped[FocusArea] = relationship()
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class UpdateRound(CreatedMixin, Base):
    """A request to all organisations to bring their open items up to date."""

    __tablename__ = "update_rounds"
    __table_args__ = (CheckConstraint("deadline >= opened_on", name="deadline_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date]
    deadline: Mapped[date]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last day deadline reminders went out: at most one reminder run per day.
    reminded_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))

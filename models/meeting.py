"""Meeting series, meetings, attendance, agenda, minutes, errata and decisions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .action_item import VISIBILITIES
from .base import Base, CreatedMixin, TimestampMixin, UTCDateTime, in_list
from .framework import FocusArea
from .organisation import Organisation
from .user import User

ATTENDANCE = ("invited", "present", "excused", "absent")
MINUTES_STATUSES = ("concept", "vastgesteld")

meeting_shares = Table(
    "meeting_shares",
    Base.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class MeetingSeries(TimestampMixin, Base):
    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Prefix of decision numbers, e.g. "MDT" gives MDT-2026-07.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    # The standard agenda: one agenda point per line, put on every meeting prepared from an earlier one.
    standard_agenda: Mapped[str | None] = mapped_column(Text)


class Meeting(TimestampMixin, Base):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(in_list("visibility", VISIBILITIES), name="visibility"),
        CheckConstraint(in_list("minutes_status", MINUTES_STATUSES), name="minutes_status"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="time_order"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(300))
    is_online: Mapped[bool] = mapped_column(default=False)
    chair_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(16), default="mdt")
    minutes_status: Mapped[str] = mapped_column(String(16), default="concept")
    minutes_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    series: Mapped[MeetingSeries] = relationship()
    chair_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[chair_organisation_id])
    owner_organisation: Mapped[Organisation] = relationship(foreign_keys=[owner_organisation_id])
    shared_with: Mapped[list[Organisation]] = relationship(secondary=meeting_shares)
    attendees: Mapped[list[Attendee]] = relationship(back_populates="meeting")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position"
    )


class Attendee(Base):
    """An invited organisation or person, with attendance recorded afterwards."""

    __tablename__ = "attendees"
    __table_args__ = (
        UniqueConstraint("meeting_id", "organisation_id", "user_id"),
        CheckConstraint(in_list("attendance", ATTENDANCE), name="attendance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    attendance: Mapped[str] = mapped_column(String(16), default="invited")

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User | None] = relationship()


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    presenter: Mapped[str | None] = mapped_column(String(200))
    duration_minutes: Mapped[int | None]
    # The fixed first item that carries over open actions of earlier meetings.
    is_action_review: Mapped[bool] = mapped_column(default=False)
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_areas.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    focus_area: Mapped[FocusArea | None] = relationship()
    minutes: Mapped[Minutes | None] = relationship(back_populates="agenda_item")


class Minutes(TimestampMixin, Base):
    __tablename__ = "minutes"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    # Restricted minutes are shown to the organisations present at the meeting only.
    is_restricted: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="minutes")
    errata: Mapped[list[Erratum]] = relationship(back_populates="minutes", order_by="Erratum.created_at")


class Erratum(CreatedMixin, Base):
    """A dated correction to minutes that were already vastgesteld; never edited."""

    __tablename__ = "errata"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    minutes: Mapped[Minutes] = relationship(back_populates="errata")


class Decision(TimestampMixin, Base):
    __tablename__ = "decisions"
    __table_args__ = (
        # Numbering per series and year; the database refuses duplicates under concurrency.
        UniqueConstraint("series_id", "year", "sequence"),
        UniqueConstraint("number"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_areas.id"), index=True)

    series: Mapped[MeetingSeries] = relationship()
    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    focus_area: Mapped[FocusArea | None] = relationship()

"""Action items per recommendation, and who shares or contributes to them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, UTCDateTime, in_list
from .framework import Commitment, FocusArea
from .organisation import Organisation
from .recommendation import Recommendation
from .status import STATUSES
from .user import User

VISIBILITIES = ("organisation", "partners", "mdt", "public")
# Two-key closure: the owner asks, a coordinator confirms or sends it back.
CLOSURE_STATES = ("none", "requested", "confirmed")

action_item_recommendations = Table(
    "action_item_recommendations",
    Base.metadata,
    Column("action_item_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True, index=True),
)

action_item_contributors = Table(
    "action_item_contributors",
    Base.metadata,
    Column("action_item_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# Organisations an item with visibility "partners" is shared with.
action_item_shares = Table(
    "action_item_shares",
    Base.metadata,
    Column("action_item_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ActionItem(TimestampMixin, Base):
    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status"),
        CheckConstraint(in_list("visibility", VISIBILITIES), name="visibility"),
        CheckConstraint(in_list("closure_state", CLOSURE_STATES), name="closure_state"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_action_items_status_due_date", "status", "due_date"),
        # Lists sort by due date (empty last), then id: this index serves that order with a LIMIT.
        Index("ix_action_items_due_date_id", "due_date", "id"),
        Index("uq_action_items_submission_key", "submission_key", unique=True),
        # A focus area's items by due date (the area page: late first, then the rest, then those without a date, each
        # part walked in this order and stopped at the page's limit); focus-area lookups. The roll-ups read the tallies.
        Index("ix_action_items_area_due", "focus_area_id", "due_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_areas.id"))  # ix_action_items_rollup
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(24), default="open", index=True)
    progress: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[str] = mapped_column(String(16), default="mdt", index=True)
    closure_state: Mapped[str] = mapped_column(String(16), default="none")
    closing_note: Mapped[str | None] = mapped_column(Text)
    closure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closure_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closure_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # One key per create form (or API Idempotency-Key): a double submit makes one item.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    focus_area: Mapped[FocusArea | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    owner_organisation: Mapped[Organisation] = relationship(foreign_keys=[owner_organisation_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    recommendations: Mapped[list[Recommendation]] = relationship(secondary=action_item_recommendations)
    contributing_organisations: Mapped[list[Organisation]] = relationship(secondary=action_item_contributors)
    shared_with: Mapped[list[Organisation]] = relationship(secondary=action_item_shares)


class ProgressUpdate(Base):
    """One dated entry in an item's history; status and progress as of that moment."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status"),
        CheckConstraint(in_list("kind", ("update", "closure_requested", "closure_confirmed", "closure_rejected")), name="kind"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        # "As of a date" reads the latest update per item up to that moment.
        Index("ix_progress_updates_item_recorded", "action_item_id", "recorded_at"),
        # "Recent progress" walks this index backwards in its order (recorded_at, id) and stops after a few visible rows.
        Index("ix_progress_updates_recorded_at_id", "recorded_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(24), default="update")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24))
    progress: Mapped[int]
    due_date: Mapped[date | None]

    author: Mapped[User | None] = relationship()


class Comment(TimestampMixin, Base):
    __tablename__ = "comments"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    author: Mapped[User | None] = relationship()


class Attachment(Base):
    """Metadata of an uploaded file; the bytes live outside static/ under storage_key."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    is_evidence: Mapped[bool] = mapped_column(default=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    uploaded_by: Mapped[User | None] = relationship()

"""Disposal of records past their retention term: a proposed list, approved by an admin, then carried out."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, JSONType, UTCDateTime, in_list

DISPOSAL_STATUSES = ("proposed", "approved", "executed")


class DisposalList(CreatedMixin, Base):
    __tablename__ = "disposal_lists"
    __table_args__ = (CheckConstraint(in_list("status", DISPOSAL_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    before: Mapped[date]
    # [{"kind": "action_item" | "meeting" | "report", "id": int, "finished": iso date}] - no titles: an admin approves
    # the list without reading content.
    records: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

"""Source documents: Kamerbrieven, inspection reports, policy reviews."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, in_list
from .organisation import Organisation

SOURCE_KINDS = ("kamerbrief", "beleidsdoorlichting", "inspectierapport", "rapport", "overig")


class Source(TimestampMixin, Base):
    __tablename__ = "sources"
    __table_args__ = (CheckConstraint(in_list("kind", SOURCE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    issued_on: Mapped[date | None]
    year: Mapped[int | None]
    reference: Mapped[str | None] = mapped_column(String(100))
    issuing_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # The issuer when it is not a partner organisation (the Ministry of Defence for the 2012 Doorlichting).
    issuer: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    # What the data cannot say for certain (an inferred year, missing pages).
    note: Mapped[str | None] = mapped_column(Text)

    issuing_organisation: Mapped[Organisation | None] = relationship()

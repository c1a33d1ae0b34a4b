"""Source documents: Kamerbrieven, inspection reports, policy reviews."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CorrectableMixin, TimestampMixin, in_list
from .organisation import Organisation

SOURCE_KINDS = ("kamerbrief", "beleidsdoorlichting", "inspectierapport", "rapport", "motie", "overig")


class Source(CorrectableMixin, TimestampMixin, Base):
    __tablename__ = "sources"
    __table_args__ = (CheckConstraint(in_list("kind", SOURCE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    issued_on: Mapped[date | None]
    year: Mapped[int | None]
    reference: Mapped[str | None] = mapped_column(String(100))
    # A letter's Kamerstuk number ("28 638, nr. 210") where `reference` is the sender's kenmerk.
    kamerstuk: Mapped[str | None] = mapped_column(String(100))
    issuing_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # The issuer when it is not a partner organisation (the Ministry of Defence for the 2012 Doorlichting).
    issuer: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    # What the data cannot say for certain (an inferred year, missing pages).
    note: Mapped[str | None] = mapped_column(Text)
    # Referenced records are never deleted: a retired source is kept, shown as such, and offered for nothing new.
    retired_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    issuing_organisation: Mapped[Organisation | None] = relationship()

    @property
    def issued_by(self) -> str | None:
        """The issuing organisation's code (a partner or an extern one), as forms and the API name it."""
        return self.issuing_organisation.code if self.issuing_organisation else None

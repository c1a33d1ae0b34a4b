"""Organisations, identified by a short code: the partners whose people sign in (KMar, Politie, IND, ...), and
organisations that issue documents or produce figures but never take part (kind "extern": the Inspectie JenV, the
Nationaal Rapporteur, CoMensha, Defensie, the Rechtspraak, the Tweede Kamer)."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ColumnElement, String, and_
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, TimestampMixin, in_list

ORGANISATION_KINDS = ("partner", "extern")


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(in_list("kind", ORGANISATION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_mdt_member: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # An extern organisation has no users, owns, shares and attends nothing: it is named as a document's issuer, a
    # figure's producer or a recommendation's addressee.
    kind: Mapped[str] = mapped_column(String(16), default="partner", server_default="partner")

    @property
    def takes_part(self) -> bool:
        return self.kind == "partner" and self.is_active

    @classmethod
    def taking_part(cls) -> ColumnElement[bool]:
        """The organisations that may sign in, own, share, be invited or report: active partners."""
        return and_(cls.kind == "partner", cls.is_active.is_(True))

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"

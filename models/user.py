"""People who sign in through their organisation's OpenID provider."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, UTCDateTime, in_list
from .organisation import Organisation

ROLES = ("reader", "member", "coordinator", "admin")
LOCALES = ("nl", "en")


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Users are keyed by (issuer, sub): never by e-mail, which providers may reuse.
        UniqueConstraint("issuer", "subject"),
        CheckConstraint(in_list("role", ROLES), name="role"),
        CheckConstraint(in_list("locale", LOCALES), name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    locale: Mapped[str] = mapped_column(String(2), default="nl")
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()

    # The protocol Flask-Login expects, in plain Python (models import no Flask).
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

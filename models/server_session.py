"""Server-side sessions (used when no Redis is configured) and reminder bookkeeping."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, UTCDateTime
from .user import User


class ServerSession(Base):
    __tablename__ = "server_sessions"

    # SHA-256 of the cookie value: a leaked table does not give working cookies.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Read with the session (sessions.DatabaseStore.load), so that the request's user costs no statement of its own.
    user: Mapped[User | None] = relationship(lazy="raise")


class ReminderLog(Base):
    """One row per reminder sent, so an item is mailed at most once a day per person."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("action_item_id", "user_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_on: Mapped[date]


class UsedLogoutToken(Base):
    """A back-channel logout token already acted on, kept for the token's lifetime: a replay is refused."""

    __tablename__ = "used_logout_tokens"
    __table_args__ = (UniqueConstraint("issuer", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

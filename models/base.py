"""Declarative base, naming convention and column types shared by every model."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, MetaData, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints make migrations reproducible on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware timestamps on every backend.

    SQLite has no time zone type; values are stored as UTC and come back
    aware, so code never compares naive with aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused; use an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.current_timestamp()
    )


class CorrectableMixin:
    """Reference data a coordinator may correct in the portal: from then on `load-reference` leaves it as corrected and
    reports where the file differs."""

    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TimestampMixin(CreatedMixin):
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )


def in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL text for a CHECK constraint limiting a column to fixed values."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


# Full-text search lives outside the ORM models (a generated tsvector column on
# PostgreSQL, an FTS5 table on SQLite, both built by a migration). Alembic's
# comparison skips them, so `alembic check` reports only real drift.
SEARCH_OBJECT_PREFIXES = ("search_fts", "search_tri", "search_parts", "ix_search_")


# Columns no model maps any more that SQLite keeps (dropping a column with a foreign key rebuilds the table there).
RETIRED_COLUMNS = {("recommendations", "addressee_organisation_id")}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "column" and name == "search_vector":
        return False
    if type_ == "column" and reflected and compare_to is None and (obj.table.name, name) in RETIRED_COLUMNS:
        return False
    if type_ in ("index", "foreign_key_constraint") and reflected and any((obj.table.name, c.name) in RETIRED_COLUMNS for c in obj.columns):
        return False
    if type_ in ("table", "index") and name and name.startswith(SEARCH_OBJECT_PREFIXES):
        return False
    return True

"""status awaiting_confirmation: a requested closure is not done until a coordinator confirms it

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-01 22:10:00+00:00

Widens action_items.status and progress_updates.status (VARCHAR(24), and their CHECK), then moves every pending
closure (status 'done', closure_state 'requested') and the history entries of closure requests to the new
status. On SQLite the constraint text is edited in place (writable_schema): widening a CHECK changes nothing
stored, and a table rebuild would drop the full-text triggers of b7c8d9e0f1a2.
"""
from alembic import op

revision = "b8c9d0e1f2a3"
down_revision = "a7b8c9d0e1f2"
branch_labels = None
depends_on = None

OLD = "status IN ('open', 'in_progress', 'blocked', 'done', 'cancelled')"
NEW = "status IN ('open', 'in_progress', 'blocked', 'awaiting_confirmation', 'done', 'cancelled')"
TABLES = ("action_items", "progress_updates")


def _set_check(old: str, new: str, old_type: str, new_type: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
        bind.exec_driver_sql("PRAGMA writable_schema=ON")
        for table in TABLES:
            bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(replace(sql, ?, ?), ?, ?) WHERE type = 'table' AND name = ?",
                                 (f"CHECK ({old})", f"CHECK ({new})", f"status {old_type}", f"status {new_type}", table))
        bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")
        problems = bind.exec_driver_sql("PRAGMA integrity_check").scalar()
        if problems != "ok":
            raise RuntimeError(f"integrity check after the CHECK change: {problems}")
    else:
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_status, ALTER COLUMN status TYPE {new_type}, "
                       f"ADD CONSTRAINT ck_{table}_status CHECK ({new})")


def upgrade() -> None:
    _set_check(OLD, NEW, "VARCHAR(16)", "VARCHAR(24)")
    op.execute("UPDATE action_items SET status = 'awaiting_confirmation' WHERE status = 'done' AND closure_state = 'requested'")
    op.execute("UPDATE progress_updates SET status = 'awaiting_confirmation' WHERE kind = 'closure_requested' AND status = 'done'")


def downgrade() -> None:
    op.execute("UPDATE progress_updates SET status = 'done' WHERE status = 'awaiting_confirmation'")
    op.execute("UPDATE action_items SET status = 'done' WHERE status = 'awaiting_confirmation'")
    _set_check(NEW, OLD, "VARCHAR(24)", "VARCHAR(16)")

"""SQLite full-text index: each row's rowid from its kind and id, so a change finds its row by key, not by a scan

The triggers of b7c8d9e0f1a2 and e5f6a7b8c9d0 found the row to replace with `kind = ... AND ref_id = ...` on
UNINDEXED columns: a scan of the whole index (about 55 ms at 20,000 items, under the write lock) on every change
to an item, update, comment, recommendation or minutes. Now rowid = id * 8 + the kind's number, and the update
triggers fire only when the indexed text (or the item it belongs to) changes. PostgreSQL: nothing to do.

Revision ID: a3b4c5d6e7f8
Revises: f2a3b4c5d6e7
Create Date: 2026-12-02 13:40:00+00:00
"""
from alembic import op

revision = "a3b4c5d6e7f8"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None

# table -> (text expression, the action item it belongs to, kind, its number in the rowid, the columns the row is made of)
SOURCES = {
    "action_items": ("coalesce(title, '') || ' ' || coalesce(description, '')", "id", "item", 1, "title, description"),
    "progress_updates": ("coalesce(note, '')", "action_item_id", "update", 2, "note, action_item_id"),
    "comments": ("coalesce(body, '')", "action_item_id", "comment", 3, "body, action_item_id"),
    "recommendations": ("coalesce(text, '')", "NULL", "recommendation", 4, "text"),
    "minutes": ("coalesce(body, '')", "NULL", "minutes", 5, "body"),
}
KINDS = 8  # rowid = id * KINDS + number


def _new(expr: str, item: str) -> tuple[str, str]:
    return expr.replace("coalesce(", "coalesce(NEW."), "NULL" if item == "NULL" else f"NEW.{item}"


def _drop_triggers() -> None:
    for table in SOURCES:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS search_fts_{table}_{suffix}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_triggers()
    op.execute("DELETE FROM search_fts")
    for table, (expr, item, kind, number, columns) in SOURCES.items():
        new_expr, new_item = _new(expr, item)
        key = f"{{}}.id * {KINDS} + {number}"
        op.execute(f"INSERT INTO search_fts (rowid, body, kind, ref_id, item_id) SELECT {key.format(table)}, {expr}, '{kind}', id, {item} "
                   f"FROM {table}")
        insert = f"INSERT INTO search_fts (rowid, body, kind, ref_id, item_id) VALUES ({key.format('NEW')}, {new_expr}, '{kind}', NEW.id, {new_item});"
        op.execute(f"CREATE TRIGGER search_fts_{table}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER search_fts_{table}_au AFTER UPDATE OF {columns} ON {table} BEGIN "
                   f"DELETE FROM search_fts WHERE rowid = {key.format('OLD')}; {insert} END")
        op.execute(f"CREATE TRIGGER search_fts_{table}_ad AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM search_fts WHERE rowid = {key.format('OLD')}; END")
    op.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_triggers()
    for table, (expr, item, kind, _number, _columns) in SOURCES.items():  # the triggers as b7c8d9e0f1a2 and e5f6a7b8c9d0 made them
        new_expr, new_item = _new(expr, item)
        insert = f"INSERT INTO search_fts (body, kind, ref_id, item_id) VALUES ({new_expr}, '{kind}', NEW.id, {new_item});"
        op.execute(f"CREATE TRIGGER search_fts_{table}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER search_fts_{table}_au AFTER UPDATE ON {table} BEGIN "
                   f"DELETE FROM search_fts WHERE kind = '{kind}' AND ref_id = OLD.id; {insert} END")
        op.execute(f"CREATE TRIGGER search_fts_{table}_ad AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM search_fts WHERE kind = '{kind}' AND ref_id = OLD.id; END")

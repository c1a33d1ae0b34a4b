"""full-text search: generated tsvector columns + GIN indexes (PostgreSQL, dutch), FTS5 index (SQLite)

Revision ID: b7c8d9e0f1a2
Revises: a1f2c3d4e5f6
Create Date: 2026-11-23 17:30:00+00:00
"""
from alembic import op

revision = "b7c8d9e0f1a2"
down_revision = "a1f2c3d4e5f6"
branch_labels = None
depends_on = None

# table -> (text expression, the action item it belongs to, kind)
SOURCES = {
    "action_items": ("coalesce(title, '') || ' ' || coalesce(description, '')", "id", "item"),
    "progress_updates": ("coalesce(note, '')", "action_item_id", "update"),
    "comments": ("coalesce(body, '')", "action_item_id", "comment"),
    "recommendations": ("coalesce(text, '')", "NULL", "recommendation"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, (expr, _item, _kind) in SOURCES.items():
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                       f"GENERATED ALWAYS AS (to_tsvector('dutch', {expr})) STORED")
            op.execute(f"CREATE INDEX ix_search_{table} ON {table} USING GIN (search_vector)")
        return
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(body, kind UNINDEXED, ref_id UNINDEXED, "
               "item_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')")
    for table, (expr, item, kind) in SOURCES.items():
        new_expr = expr.replace("coalesce(", "coalesce(NEW.")
        new_item = "NULL" if item == "NULL" else f"NEW.{item}"
        op.execute(f"INSERT INTO search_fts (body, kind, ref_id, item_id) SELECT {expr}, '{kind}', id, {item} FROM {table}")
        op.execute(f"CREATE TRIGGER search_fts_{table}_ai AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO search_fts (body, kind, ref_id, item_id) VALUES ({new_expr}, '{kind}', NEW.id, {new_item}); END")
        op.execute(f"CREATE TRIGGER search_fts_{table}_au AFTER UPDATE ON {table} BEGIN "
                   f"DELETE FROM search_fts WHERE kind = '{kind}' AND ref_id = OLD.id; "
                   f"INSERT INTO search_fts (body, kind, ref_id, item_id) VALUES ({new_expr}, '{kind}', NEW.id, {new_item}); END")
        op.execute(f"CREATE TRIGGER search_fts_{table}_ad AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM search_fts WHERE kind = '{kind}' AND ref_id = OLD.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SOURCES:
            op.execute(f"DROP INDEX ix_search_{table}")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        return
    for table in SOURCES:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER search_fts_{table}_{suffix}")
    op.execute("DROP TABLE search_fts")

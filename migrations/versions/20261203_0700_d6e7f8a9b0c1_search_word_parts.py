"""search by part of a word: Dutch compounds and word forms ("smokkel" finds "mensensmokkel", "reisdocument" finds
"reisdocumenten") beside the word index

SQLite: a second FTS5 index with the trigram tokenizer (search_tri), the same rows and rowids as search_fts, kept by its
own triggers. PostgreSQL: pg_trgm and a trigram GIN index on each indexed text, so `ILIKE '%part%'` uses an index.

Revision ID: d6e7f8a9b0c1
Revises: c5d6e7f8a9b0
Create Date: 2026-12-03 07:00:00+00:00
"""
from alembic import op

revision = "d6e7f8a9b0c1"
down_revision = "c5d6e7f8a9b0"
branch_labels = None
depends_on = None

# table -> (text expression, the action item it belongs to, kind, its number in the rowid, the columns the row is made of);
# the same as search_fts (a3b4c5d6e7f8) and the search code (portal/search/queries.py TEXTS).
SOURCES = {
    "action_items": ("coalesce(title, '') || ' ' || coalesce(description, '')", "id", "item", 1, "title, description"),
    "progress_updates": ("coalesce(note, '')", "action_item_id", "update", 2, "note, action_item_id"),
    "comments": ("coalesce(body, '')", "action_item_id", "comment", 3, "body, action_item_id"),
    "recommendations": ("coalesce(text, '')", "NULL", "recommendation", 4, "text"),
    "minutes": ("coalesce(body, '')", "NULL", "minutes", 5, "body"),
}
KINDS = 8


def _new(expr: str, item: str) -> tuple[str, str]:
    return expr.replace("coalesce(", "coalesce(NEW."), "NULL" if item == "NULL" else f"NEW.{item}"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, (expr, *_rest) in SOURCES.items():
            op.execute(f"CREATE INDEX ix_search_trigram_{table} ON {table} USING gin (({expr}) gin_trgm_ops)")
        return
    op.execute("CREATE VIRTUAL TABLE search_tri USING fts5(body, kind UNINDEXED, ref_id UNINDEXED, item_id UNINDEXED, "
               "tokenize = 'trigram')")
    for table, (expr, item, kind, number, columns) in SOURCES.items():
        new_expr, new_item = _new(expr, item)
        key = f"{{}}.id * {KINDS} + {number}"
        op.execute(f"INSERT INTO search_tri (rowid, body, kind, ref_id, item_id) SELECT {key.format(table)}, {expr}, '{kind}', id, {item} "
                   f"FROM {table}")
        insert = f"INSERT INTO search_tri (rowid, body, kind, ref_id, item_id) VALUES ({key.format('NEW')}, {new_expr}, '{kind}', NEW.id, {new_item});"
        op.execute(f"CREATE TRIGGER search_tri_{table}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER search_tri_{table}_au AFTER UPDATE OF {columns} ON {table} BEGIN "
                   f"DELETE FROM search_tri WHERE rowid = {key.format('OLD')}; {insert} END")
        op.execute(f"CREATE TRIGGER search_tri_{table}_ad AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM search_tri WHERE rowid = {key.format('OLD')}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SOURCES:
            op.execute(f"DROP INDEX IF EXISTS ix_search_trigram_{table}")
        return
    for table in SOURCES:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS search_tri_{table}_{suffix}")
    op.execute("DROP TABLE IF EXISTS search_tri")

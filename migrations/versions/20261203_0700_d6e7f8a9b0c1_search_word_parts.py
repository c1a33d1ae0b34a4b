"""search by part of a word: Dutch compounds and word forms ("smokkel" finds "mensensmokkel", "reisdocument" finds
"reisdocumenten") beside the word index

SQLite: a second FTS5 index with the trigram tokenizer (search_tri), the same rows and rowids as search_fts, kept by its
own triggers. PostgreSQL: the same rows in one table (search_parts, kept by triggers) with one pg_trgm GIN index, so
`ILIKE '%part%'` reads one index (a trigram index per source table was read as a whole table on the small ones).

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


def _postgresql_upgrade() -> None:
    """One table of every indexed text (search_parts, the same rows and keys as SQLite's search_tri) with one trigram
    index: a search for a part of a word reads one index, never a whole table."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE TABLE search_parts (id bigint PRIMARY KEY, body text NOT NULL, kind varchar(16) NOT NULL, "
               "ref_id integer NOT NULL, item_id integer)")
    op.execute("CREATE INDEX ix_search_parts_body ON search_parts USING gin (body gin_trgm_ops)")
    for table, (expr, item, kind, number, columns) in SOURCES.items():
        new_expr, new_item = _new(expr, item)
        op.execute(f"INSERT INTO search_parts (id, body, kind, ref_id, item_id) SELECT id::bigint * {KINDS} + {number}, {expr}, '{kind}', id, "
                   f"{item} FROM {table}")
        op.execute(f"""CREATE FUNCTION search_parts_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM search_parts WHERE id = OLD.id::bigint * {KINDS} + {number}; END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO search_parts (id, body, kind, ref_id, item_id)
                VALUES (NEW.id::bigint * {KINDS} + {number}, {new_expr}, '{kind}', NEW.id, {new_item});
              END IF;
              RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER search_parts_{table}_insert_delete AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION search_parts_{table}()")
        op.execute(f"CREATE TRIGGER search_parts_{table}_update AFTER UPDATE OF {columns} ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION search_parts_{table}()")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
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
            op.execute(f"DROP TRIGGER IF EXISTS search_parts_{table}_insert_delete ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS search_parts_{table}_update ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS search_parts_{table}()")
        op.execute("DROP TABLE IF EXISTS search_parts")
        return
    for table in SOURCES:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS search_tri_{table}_{suffix}")
    op.execute("DROP TABLE IF EXISTS search_tri")

"""Search: each index row's key is its kind's range plus its id (number * 2**40 + id) instead of id * 8 + number, on
SQLite's search_fts and search_tri and PostgreSQL's search_parts, so the newest matches of one kind are read from the
top of that kind's range down, not by stepping over every match of every other kind (issue 28: a word that is in
every row cost 13-17 ms per kind on the trigram index; now about 1 ms). PostgreSQL keeps search_parts' text in lower
case, compared with LIKE.

Revision ID: b0c1d2e3f4a5
Revises: a9b0c1d2e3f4
Create Date: 2026-12-03 12:00:00+00:00
"""
from alembic import op

revision = "b0c1d2e3f4a5"
down_revision = "a9b0c1d2e3f4"
branch_labels = None
depends_on = None

# table -> (text expression, the action item it belongs to, kind, its number, the columns the row is made of);
# the same as a3b4c5d6e7f8 and d6e7f8a9b0c1.
SOURCES = {
    "action_items": ("coalesce(title, '') || ' ' || coalesce(description, '')", "id", "item", 1, "title, description"),
    "progress_updates": ("coalesce(note, '')", "action_item_id", "update", 2, "note, action_item_id"),
    "comments": ("coalesce(body, '')", "action_item_id", "comment", 3, "body, action_item_id"),
    "recommendations": ("coalesce(text, '')", "NULL", "recommendation", 4, "text"),
    "minutes": ("coalesce(body, '')", "NULL", "minutes", 5, "body"),
}
SPAN = 1 << 40  # portal/search/queries.py KIND_SPAN


def _key(by_kind: bool, row: str, number: int, postgresql: bool) -> str:
    """The index key of a row: number * 2**40 + id (by kind), or id * 8 + number as before."""
    if by_kind:
        return f"{number} * {SPAN} + {row}"  # a bigint on both backends
    return f"{row}::bigint * 8 + {number}" if postgresql else f"{row} * 8 + {number}"


def _new(expr: str, item: str) -> tuple[str, str]:
    return expr.replace("coalesce(", "coalesce(NEW."), "NULL" if item == "NULL" else f"NEW.{item}"


def _sqlite(by_kind: bool) -> None:
    for index in ("search_fts", "search_tri"):
        op.execute(f"DELETE FROM {index}")
        for table, (expr, item, kind, number, columns) in SOURCES.items():
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {index}_{table}_{suffix}")
            new_expr, new_item = _new(expr, item)
            old_key, new_key = _key(by_kind, "OLD.id", number, False), _key(by_kind, "NEW.id", number, False)
            op.execute(f"INSERT INTO {index} (rowid, body, kind, ref_id, item_id) SELECT {_key(by_kind, 'id', number, False)}, {expr}, "
                       f"'{kind}', id, {item} FROM {table}")
            insert = f"INSERT INTO {index} (rowid, body, kind, ref_id, item_id) VALUES ({new_key}, {new_expr}, '{kind}', NEW.id, {new_item});"
            op.execute(f"CREATE TRIGGER {index}_{table}_ai AFTER INSERT ON {table} BEGIN {insert} END")
            op.execute(f"CREATE TRIGGER {index}_{table}_au AFTER UPDATE OF {columns} ON {table} BEGIN "
                       f"DELETE FROM {index} WHERE rowid = {old_key}; {insert} END")
            op.execute(f"CREATE TRIGGER {index}_{table}_ad AFTER DELETE ON {table} BEGIN DELETE FROM {index} WHERE rowid = {old_key}; END")
        op.execute(f"INSERT INTO {index} ({index}) VALUES ('optimize')")


def _postgresql(by_kind: bool) -> None:
    """search_parts rebuilt with the new keys, and (by kind) its text in lower case: the search compares with LIKE, which
    reads a row five times faster than ILIKE where a kind's rows are walked one by one."""
    op.execute("DELETE FROM search_parts")
    for table, (expr, item, kind, number, _columns) in SOURCES.items():
        new_expr, new_item = _new(expr, item)
        body, new_body = (f"lower({expr})", f"lower({new_expr})") if by_kind else (expr, new_expr)
        op.execute(f"INSERT INTO search_parts (id, body, kind, ref_id, item_id) SELECT {_key(by_kind, 'id', number, True)}, {body}, "
                   f"'{kind}', id, {item} FROM {table}")
        op.execute(f"""CREATE OR REPLACE FUNCTION search_parts_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM search_parts WHERE id = {_key(by_kind, 'OLD.id', number, True)}; END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO search_parts (id, body, kind, ref_id, item_id)
                VALUES ({_key(by_kind, 'NEW.id', number, True)}, {new_body}, '{kind}', NEW.id, {new_item});
              END IF;
              RETURN NULL;
            END $$""")
    op.execute("ANALYZE search_parts")


def upgrade() -> None:
    (_postgresql if op.get_bind().dialect.name == "postgresql" else _sqlite)(True)


def downgrade() -> None:
    (_postgresql if op.get_bind().dialect.name == "postgresql" else _sqlite)(False)

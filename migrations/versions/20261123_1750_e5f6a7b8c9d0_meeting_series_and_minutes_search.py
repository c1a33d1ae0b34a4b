"""the three meeting series of the MDT, and minutes in the full-text search

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-11-23 17:50:00+00:00
"""
from alembic import op

revision = "e5f6a7b8c9d0"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None

SERIES = (("MDT", "MDT Mensensmokkel"), ("EMM", "Operationeel overleg EMM"), ("STUUR", "Stuurploeg"))


def upgrade() -> None:
    for code, title in SERIES:
        op.execute(f"INSERT INTO meeting_series (code, title, is_active) VALUES ('{code}', '{title}', true)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE minutes ADD COLUMN search_vector tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('dutch', coalesce(body, ''))) STORED")
        op.execute("CREATE INDEX ix_search_minutes ON minutes USING GIN (search_vector)")
        return
    op.execute("INSERT INTO search_fts (body, kind, ref_id, item_id) SELECT coalesce(body, ''), 'minutes', id, NULL FROM minutes")
    op.execute("CREATE TRIGGER search_fts_minutes_ai AFTER INSERT ON minutes BEGIN "
               "INSERT INTO search_fts (body, kind, ref_id, item_id) VALUES (coalesce(NEW.body, ''), 'minutes', NEW.id, NULL); END")
    op.execute("CREATE TRIGGER search_fts_minutes_au AFTER UPDATE ON minutes BEGIN "
               "DELETE FROM search_fts WHERE kind = 'minutes' AND ref_id = OLD.id; "
               "INSERT INTO search_fts (body, kind, ref_id, item_id) VALUES (coalesce(NEW.body, ''), 'minutes', NEW.id, NULL); END")
    op.execute("CREATE TRIGGER search_fts_minutes_ad AFTER DELETE ON minutes BEGIN "
               "DELETE FROM search_fts WHERE kind = 'minutes' AND ref_id = OLD.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_minutes")
        op.execute("ALTER TABLE minutes DROP COLUMN search_vector")
    else:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER search_fts_minutes_{suffix}")
        op.execute("DELETE FROM search_fts WHERE kind = 'minutes'")
    codes = ", ".join(f"'{code}'" for code, _ in SERIES)
    op.execute(f"DELETE FROM meeting_series WHERE code IN ({codes})")

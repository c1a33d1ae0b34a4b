"""stored text without control characters: what the edge now refuses (rule 10) is removed from what is already stored

Every text and JSON column of every table is read once; a value holding a control character (U+0000-U+001F but tab,
newline and carriage return), a lone surrogate or U+FFFE/U+FFFF is written back without it (Word's soft line break,
U+000B, becomes a line break). The audit trail is append-only and is left as it is (its CSV export drops the
characters). Prints how many rows changed per table. Nothing to undo: the downgrade leaves the text clean.

Revision ID: c5d6e7f8a9b0
Revises: b4c5d6e7f8a9
Create Date: 2026-12-03 06:10:00+00:00
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "c5d6e7f8a9b0"
down_revision = "b4c5d6e7f8a9"
branch_labels = None
depends_on = None

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SKIPPED = {"alembic_version", "audit_events"}


def _clean(value):
    if isinstance(value, str):
        return UNSAFE.sub("", value.replace("\x0b", "\n"))
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def upgrade() -> None:
    bind = op.get_bind()
    metadata = sa.MetaData()
    inspector = sa.inspect(bind)
    for name in inspector.get_table_names():
        if name in SKIPPED or name.startswith("search_fts"):
            continue
        table = sa.Table(name, metadata, autoload_with=bind)
        keys = list(table.primary_key.columns)
        texts = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON)) and c not in keys]
        if not keys or not texts:
            continue
        changed = 0
        for row in bind.execute(sa.select(*keys, *texts)).mappings().all():
            values = {c.name: _clean(row[c.name]) for c in texts if row[c.name] is not None}
            values = {k: v for k, v in values.items() if v != row[k]}
            if values:
                bind.execute(table.update().where(*(k == row[k.name] for k in keys)).values(**values))
                changed += 1
        if changed:
            print(f"control characters removed from {changed} row(s) of {name}")


def downgrade() -> None:
    # The removed characters cannot be put back (and no document could hold them); the cleaned text stays.
    print("strip_control_characters: nothing to undo, the cleaned text stays as it is")

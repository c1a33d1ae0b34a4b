"""the source's own words each reference fact rests on: focus areas, commitments, recommendations, indicators and the
register keep the quote the reference data gives them, to show beside the fact

Columns are added in place (no table rebuild: on SQLite that would drop the full-text triggers on recommendations).

Revision ID: a9b0c1d2e3f4
Revises: f8a9b0c1d2e3
Create Date: 2026-12-03 11:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a9b0c1d2e3f4"
down_revision = "f8a9b0c1d2e3"
branch_labels = None
depends_on = None

TABLES = ("focus_areas", "commitments", "recommendations", "indicators", "parliament_commitments")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("quote", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("quote")

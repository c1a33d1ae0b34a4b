"""action_items.submission_key: a double submit of a create makes one item

Revision ID: c3d4e5f6a7b8
Revises: b7c8d9e0f1a2
Create Date: 2026-11-23 17:25:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c3d4e5f6a7b8"
down_revision = "b7c8d9e0f1a2"
branch_labels = None
depends_on = None


# No batch mode: on SQLite it would copy the table and lose the full-text triggers on it.


def upgrade() -> None:
    op.add_column("action_items", sa.Column("submission_key", sa.String(length=64), nullable=True))
    op.create_index("uq_action_items_submission_key", "action_items", ["submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_action_items_submission_key", table_name="action_items")
    op.drop_column("action_items", "submission_key")

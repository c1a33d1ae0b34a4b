"""index action_items (due_date, id): the lists' default order, served by the index with a LIMIT

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-11-23 19:30:00+00:00
"""
from alembic import op

revision = "a7b8c9d0e1f2"
down_revision = "f6a7b8c9d0e1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_action_items_due_date", table_name="action_items")
    op.create_index("ix_action_items_due_date_id", "action_items", ["due_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_action_items_due_date_id", table_name="action_items")
    op.create_index("ix_action_items_due_date", "action_items", ["due_date"])

"""index action_items for the roll-ups: every column they read, so they scan the index, not the rows

Replaces ix_action_items_focus_area_id (its leading column).

Revision ID: f2a3b4c5d6e7
Revises: e1f2a3b4c5d6
Create Date: 2026-12-02 13:30:00+00:00
"""
from alembic import op

revision = "f2a3b4c5d6e7"
down_revision = "e1f2a3b4c5d6"
branch_labels = None
depends_on = None

COLUMNS = ["focus_area_id", "owner_organisation_id", "status", "visibility", "due_date", "commitment_id", "progress", "id"]


def upgrade() -> None:
    op.create_index("ix_action_items_rollup", "action_items", COLUMNS)
    op.drop_index("ix_action_items_focus_area_id", table_name="action_items")


def downgrade() -> None:
    op.create_index("ix_action_items_focus_area_id", "action_items", ["focus_area_id"])
    op.drop_index("ix_action_items_rollup", table_name="action_items")

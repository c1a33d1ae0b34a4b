"""index progress_updates.recorded_at for the dashboard's recent progress

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-11-23 18:20:00+00:00
"""
from alembic import op

revision = "f6a7b8c9d0e1"
down_revision = "e5f6a7b8c9d0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_progress_updates_recorded_at", "progress_updates", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_progress_updates_recorded_at", table_name="progress_updates")

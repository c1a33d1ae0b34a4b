"""update_rounds.reminded_on: deadline reminders at most once a day

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-23 17:40:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "d4e5f6a7b8c9"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("update_rounds", sa.Column("reminded_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("update_rounds") as batch:
        batch.drop_column("reminded_on")

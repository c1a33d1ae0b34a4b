"""disposal lists: records past their retention term, proposed, approved by an admin, then carried out

Revision ID: e1f2a3b4c5d6
Revises: d0e1f2a3b4c5
Create Date: 2026-12-02 02:38:34.265056+00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base

revision = 'e1f2a3b4c5d6'
down_revision = 'd0e1f2a3b4c5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disposal_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('before', sa.Date(), nullable=False),
    sa.Column('records', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('executed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'executed')", name=op.f('ck_disposal_lists_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_disposal_lists_approved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disposal_lists'))
    )


def downgrade() -> None:
    op.drop_table('disposal_lists')

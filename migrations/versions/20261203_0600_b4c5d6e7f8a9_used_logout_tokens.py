"""used_logout_tokens: a back-channel logout token's jti is remembered for its lifetime, so a replay ends nothing

Revision ID: b4c5d6e7f8a9
Revises: a3b4c5d6e7f8
Create Date: 2026-12-03 06:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "b4c5d6e7f8a9"
down_revision = "a3b4c5d6e7f8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_logout_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_logout_tokens")),
        sa.UniqueConstraint("issuer", "jti", name=op.f("uq_used_logout_tokens_issuer_jti")),
    )
    with op.batch_alter_table("used_logout_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_logout_tokens_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("used_logout_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_logout_tokens_expires_at"))
    op.drop_table("used_logout_tokens")

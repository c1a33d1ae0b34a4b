"""organisations that issue or produce but never take part (kind 'extern'), and an indicator's producing organisation

The column is added in place: rebuilding `organisations` on SQLite would cascade into every table that refers to it.
SQLite checks a CHECK constraint written in ADD COLUMN; PostgreSQL gets a named one.

Revision ID: f8a9b0c1d2e3
Revises: e7f8a9b0c1d2
Create Date: 2026-12-03 10:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "f8a9b0c1d2e3"
down_revision = "e7f8a9b0c1d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE organisations ADD COLUMN kind VARCHAR(16) DEFAULT 'partner' NOT NULL "
                   "CONSTRAINT ck_organisations_kind CHECK (kind IN ('partner', 'extern'))")
    else:
        op.add_column("organisations", sa.Column("kind", sa.String(length=16), server_default="partner", nullable=False))
        op.create_check_constraint("kind", "organisations", "kind IN ('partner', 'extern')")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("producer_organisation_id", sa.Integer(),
                                      sa.ForeignKey("organisations.id", name=op.f("fk_indicators_producer_organisation_id_organisations")),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_column("producer_organisation_id")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE organisations DROP COLUMN kind")
    else:
        op.drop_constraint(op.f("ck_organisations_kind"), "organisations", type_="check")
        op.drop_column("organisations", "kind")

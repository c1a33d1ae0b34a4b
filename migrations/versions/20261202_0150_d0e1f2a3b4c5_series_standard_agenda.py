"""meeting series: a standard agenda, put on every meeting prepared from an earlier one

Revision ID: d0e1f2a3b4c5
Revises: c9d0e1f2a3b4
Create Date: 2026-12-02 01:50:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "d0e1f2a3b4c5"
down_revision = "c9d0e1f2a3b4"
branch_labels = None
depends_on = None

MDT_AGENDA = ("Mededelingen", "Voortgang van de speerpunten", "Signalen en casuïstiek", "Rondvraag")


def upgrade() -> None:
    op.add_column("meeting_series", sa.Column("standard_agenda", sa.Text(), nullable=True))
    op.get_bind().execute(sa.text("UPDATE meeting_series SET standard_agenda = :agenda WHERE code = 'MDT'"),
                          {"agenda": "\n".join(MDT_AGENDA)})


def downgrade() -> None:
    op.execute("ALTER TABLE meeting_series DROP COLUMN standard_agenda")

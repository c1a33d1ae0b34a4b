"""The recommendations frozen in each report, and per recommendation the frozen rows linked to it with what rule 7 checks
of a frozen row (owner, visibility, shares), written with the report: a recommendation's page counts them without
reading any report's snapshot (issue 29). Existing reports are filled in from their snapshots.

Revision ID: f4a5b6c7d8e9
Revises: e3f4a5b6c7d8
Create Date: 2026-12-04 02:16:00+00:00
"""
import json

import sqlalchemy as sa
from alembic import op

from models.base import JSONType

revision = "f4a5b6c7d8e9"
down_revision = "e3f4a5b6c7d8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    recs = op.create_table(
        "report_recommendations",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_report_recommendations_report_id_reports", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "recommendation_id", name="pk_report_recommendations"),
    )
    op.create_index("ix_report_recommendations_recommendation_id", "report_recommendations", ["recommendation_id"])
    rows = op.create_table(
        "report_recommendation_rows",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=16), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("shared_with", JSONType, nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_report_recommendation_rows_report_id_reports", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "recommendation_id", "item_id", name="pk_report_recommendation_rows"),
    )
    op.create_index("ix_report_recommendation_rows_recommendation_id", "report_recommendation_rows", ["recommendation_id"])
    bind = op.get_bind()
    for report_id, snapshot in bind.execute(sa.text("SELECT id, snapshot FROM reports ORDER BY id")).all():
        snapshot = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
        linked = [{"report_id": report_id, "recommendation_id": rec_id, "item_id": i["id"], "owner": i["owner"],
                   "visibility": i["visibility"], "shared_with": i["shared_with"]}
                  for i in snapshot.get("items", []) for rec_id in i.get("recommendation_ids", [])]
        frozen = [{"report_id": report_id, "recommendation_id": r["id"]} for r in snapshot.get("recommendations", [])]
        if frozen:
            bind.execute(recs.insert(), frozen)
        if linked:
            bind.execute(rows.insert(), linked)


def downgrade() -> None:
    op.drop_index("ix_report_recommendation_rows_recommendation_id", table_name="report_recommendation_rows")
    op.drop_table("report_recommendation_rows")
    op.drop_index("ix_report_recommendations_recommendation_id", table_name="report_recommendations")
    op.drop_table("report_recommendations")

"""content kept in the portal and letters that close the loop: versions and retirement for sources, recommendations and
commitments; a recommendation's addressees as a list; an indicator's reporting cycle; the register's partly fulfilled
status, where a toezegging was made and by whom, its changed terms and the letters that answered it; a report's sent letter

Columns are added in place (no table rebuild, which on SQLite would drop the full-text triggers on recommendations and,
with foreign keys on, cascade into the tables that refer to a rebuilt one). The two widened CHECK constraints are
rewritten in SQLite's schema text (the documented way to change a constraint every stored row already meets).

Revision ID: e7f8a9b0c1d2
Revises: d6e7f8a9b0c1
Create Date: 2026-12-03 08:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "e7f8a9b0c1d2"
down_revision = "d6e7f8a9b0c1"
branch_labels = None
depends_on = None

OLD_KINDS = "'kamerbrief', 'beleidsdoorlichting', 'inspectierapport', 'rapport', 'overig'"
NEW_KINDS = "'kamerbrief', 'beleidsdoorlichting', 'inspectierapport', 'rapport', 'motie', 'overig'"
OLD_STATUSES = "'open', 'fulfilled', 'lapsed'"
NEW_STATUSES = "'open', 'fulfilled', 'partly_fulfilled', 'lapsed'"
CHECKS = [("sources", "ck_sources_kind", "kind", OLD_KINDS, NEW_KINDS),
          ("parliament_commitments", "ck_parliament_commitments_status", "status", OLD_STATUSES, NEW_STATUSES)]


def _widen_checks(forward: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
        bind.exec_driver_sql("PRAGMA writable_schema=ON")
        for table, _name, column, old, new in CHECKS:
            before, after = (old, new) if forward else (new, old)
            bind.execute(sa.text("UPDATE sqlite_master SET sql = replace(sql, :before, :after) WHERE type = 'table' AND name = :table"),
                         {"before": f"{column} IN ({before})", "after": f"{column} IN ({after})", "table": table})
        bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")
        return
    for table, name, column, old, new in CHECKS:
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(name.removeprefix(f"ck_{table}_"), table, f"{column} IN ({new if forward else old})")


def upgrade() -> None:
    _widen_checks(True)
    for table in ("sources", "recommendations", "commitments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    for table in ("sources", "recommendations", "commitments", "indicators"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("corrected_at", models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kamerstuk", sa.String(length=100), nullable=True))
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("breakdown_note", sa.Text(), nullable=True))
    op.create_table(
        "measurement_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measurement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.ForeignKeyConstraint(["measurement_id"], ["measurements.id"], name=op.f("fk_measurement_parts_measurement_id_measurements"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement_parts")),
        sa.UniqueConstraint("measurement_id", "category", name=op.f("uq_measurement_parts_measurement_id_category")),
    )
    with op.batch_alter_table("measurement_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measurement_parts_measurement_id"), ["measurement_id"], unique=False)
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", name=op.f("fk_targets_source_id_sources")),
                                      nullable=True))

    op.create_table(
        "recommendation_addressees",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_recommendation_addressees_organisation_id_organisations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"],
                                name=op.f("fk_recommendation_addressees_recommendation_id_recommendations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("recommendation_id", "organisation_id", name=op.f("pk_recommendation_addressees")),
    )
    with op.batch_alter_table("recommendation_addressees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_addressees_organisation_id"), ["organisation_id"], unique=False)
    op.execute("INSERT INTO recommendation_addressees (recommendation_id, organisation_id) "
               "SELECT id, addressee_organisation_id FROM recommendations WHERE addressee_organisation_id IS NOT NULL")
    if op.get_bind().dialect.name == "postgresql":
        with op.batch_alter_table("recommendations", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_recommendations_addressee_organisation_id"))
            batch_op.drop_column("addressee_organisation_id")
    else:
        # On SQLite the single addressee column stays in the table, emptied and unmapped (dropping a column with a foreign
        # key rebuilds the table, see above); models.base.include_object leaves it out of the schema comparison.
        op.execute("UPDATE recommendations SET addressee_organisation_id = NULL")

    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frequency_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("responsible_user_id", sa.Integer(),
                                      sa.ForeignKey("users.id", name=op.f("fk_indicators_responsible_user_id_users")), nullable=True))
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))

    with op.batch_alter_table("parliament_commitments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("made_in", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("member", sa.String(length=200), server_default="", nullable=False))

    op.create_table(
        "parliament_due_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parliament_commitment_id", sa.Integer(), nullable=False),
        sa.Column("due_label", sa.String(length=64), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"], name=op.f("fk_parliament_due_changes_changed_by_id_users")),
        sa.ForeignKeyConstraint(["parliament_commitment_id"], ["parliament_commitments.id"],
                                name=op.f("fk_parliament_due_changes_parliament_commitment_id_parliament_commitments"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parliament_due_changes")),
    )
    with op.batch_alter_table("parliament_due_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parliament_due_changes_parliament_commitment_id"), ["parliament_commitment_id"], unique=False)
    op.create_table(
        "parliament_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parliament_commitment_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('fulfilled', 'partly_fulfilled')", name=op.f("ck_parliament_answers_status")),
        sa.ForeignKeyConstraint(["parliament_commitment_id"], ["parliament_commitments.id"],
                                name=op.f("fk_parliament_answers_parliament_commitment_id_parliament_commitments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_parliament_answers_source_id_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parliament_answers")),
        sa.UniqueConstraint("parliament_commitment_id", "source_id", name=op.f("uq_parliament_answers_parliament_commitment_id_source_id")),
    )
    with op.batch_alter_table("parliament_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parliament_answers_parliament_commitment_id"), ["parliament_commitment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parliament_answers_source_id"), ["source_id"], unique=False)
    # A letter fulfilled in the register before this revision is its first answer.
    op.execute("INSERT INTO parliament_answers (parliament_commitment_id, source_id, status, recorded_at) "
               "SELECT id, fulfilled_by_source_id, 'fulfilled', updated_at FROM parliament_commitments "
               "WHERE fulfilled_by_source_id IS NOT NULL AND status = 'fulfilled'")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_source_id", sa.Integer(),
                                      sa.ForeignKey("sources.id", name=op.f("fk_reports_sent_source_id_sources")), nullable=True))
        batch_op.create_index(batch_op.f("ix_reports_sent_source_id"), ["sent_source_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_sent_source_id"))
        batch_op.drop_column("sent_source_id")
    op.drop_table("parliament_answers")
    op.drop_table("parliament_due_changes")
    with op.batch_alter_table("parliament_commitments", schema=None) as batch_op:
        batch_op.drop_column("member")
        batch_op.drop_column("made_in")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_column("retired_on")
        batch_op.drop_column("responsible_user_id")
        batch_op.drop_column("frequency_months")
    if op.get_bind().dialect.name == "postgresql":
        with op.batch_alter_table("recommendations", schema=None) as batch_op:
            batch_op.add_column(sa.Column("addressee_organisation_id", sa.Integer(), sa.ForeignKey(
                "organisations.id", name=op.f("fk_recommendations_addressee_organisation_id_organisations")), nullable=True))
            batch_op.create_index(batch_op.f("ix_recommendations_addressee_organisation_id"), ["addressee_organisation_id"])
    op.execute("UPDATE recommendations SET addressee_organisation_id = (SELECT min(organisation_id) FROM recommendation_addressees a "
               "WHERE a.recommendation_id = recommendations.id)")
    op.drop_table("recommendation_addressees")
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_column("source_id")
    op.drop_table("measurement_parts")
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_column("breakdown_note")
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("kamerstuk")
    for table in ("sources", "recommendations", "commitments", "indicators"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("corrected_at")
    for table in ("sources", "recommendations", "commitments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
            batch_op.drop_column("retired_on")
    _widen_checks(False)

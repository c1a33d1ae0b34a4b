"""measurable goals and follow-up: targets, indicator definitions and corrections, expected figures, responses
with history, related recommendations, commitments to Parliament, capacity lines (the budget lines move into them), carried-over commitments

New tables, and nullable or defaulted columns added in place (ALTER TABLE ADD COLUMN on both backends; no table
rebuild, which on SQLite would drop the full-text triggers on recommendations).

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-02 00:43:22.516064+00:00
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = 'c9d0e1f2a3b4'
down_revision = 'b8c9d0e1f2a3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('capacity_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('applies_to', sa.String(length=200), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_capacity_lines_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_capacity_lines_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_lines')),
    sa.UniqueConstraint('key', name=op.f('uq_capacity_lines_key'))
    )
    op.create_table('parliament_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('kamerstuk', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('due_label', sa.String(length=64), nullable=False),
    sa.Column('due_start', sa.Date(), nullable=True),
    sa.Column('due_end', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('fulfilled_by_source_id', sa.Integer(), nullable=True),
    sa.Column('fulfilled_note', sa.Text(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("kind IN ('toezegging', 'motie')", name=op.f('ck_parliament_commitments_kind')),
    sa.CheckConstraint("status IN ('open', 'fulfilled', 'lapsed')", name=op.f('ck_parliament_commitments_status')),
    sa.CheckConstraint('due_end >= due_start', name=op.f('ck_parliament_commitments_due_order')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_parliament_commitments_version_positive')),
    sa.ForeignKeyConstraint(['fulfilled_by_source_id'], ['sources.id'], name=op.f('fk_parliament_commitments_fulfilled_by_source_id_sources')),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_parliament_commitments_owner_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_parliament_commitments_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parliament_commitments')),
    sa.UniqueConstraint('key', name=op.f('uq_parliament_commitments_key'))
    )
    with op.batch_alter_table('parliament_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parliament_commitments_owner_organisation_id'), ['owner_organisation_id'], unique=False)

    op.create_table('recommendation_links',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('related_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('recommendation_id < related_id', name=op.f('ck_recommendation_links_ordered')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_links_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['related_id'], ['recommendations.id'], name=op.f('fk_recommendation_links_related_id_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recommendation_id', 'related_id', name=op.f('pk_recommendation_links'))
    )
    with op.batch_alter_table('recommendation_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_links_related_id'), ['related_id'], unique=False)

    op.create_table('recommendation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('responded_on', sa.Date(), nullable=True),
    sa.Column('document_source_id', sa.Integer(), nullable=True),
    sa.Column('document_title', sa.String(length=500), nullable=False),
    sa.Column('kamerstuk', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stance IN ('overgenomen', 'deels', 'niet', 'onbekend')", name=op.f('ck_recommendation_responses_stance')),
    sa.ForeignKeyConstraint(['document_source_id'], ['sources.id'], name=op.f('fk_recommendation_responses_document_source_id_sources')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_responses_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_recommendation_responses_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_responses'))
    )
    with op.batch_alter_table('recommendation_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_responses_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('commitment_carryovers',
    sa.Column('from_commitment_id', sa.Integer(), nullable=False),
    sa.Column('to_commitment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_commitment_id'], ['commitments.id'], name=op.f('fk_commitment_carryovers_from_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_commitment_id'], ['commitments.id'], name=op.f('fk_commitment_carryovers_to_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_commitment_id', 'to_commitment_id', name=op.f('pk_commitment_carryovers'))
    )
    with op.batch_alter_table('commitment_carryovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_carryovers_to_commitment_id'), ['to_commitment_id'], unique=False)

    op.create_table('expected_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_expected_figures_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expected_figures')),
    sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_expected_figures_indicator_id_period'))
    )
    op.create_table('indicator_commitments',
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_indicator_commitments_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_commitments_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('indicator_id', 'commitment_id', name=op.f('pk_indicator_commitments'))
    )
    with op.batch_alter_table('indicator_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_commitments_commitment_id'), ['commitment_id'], unique=False)

    op.create_table('indicator_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_indicator_definitions_version_positive')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_definitions_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_indicator_definitions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_definitions')),
    sa.UniqueConstraint('indicator_id', 'version', name=op.f('uq_indicator_definitions_indicator_id_version'))
    )
    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('at_least', 'at_most')", name=op.f('ck_targets_direction')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_targets_period_order')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_targets_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_targets_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_targets_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_targets_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets'))
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_commitment_id'), ['commitment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('measurement_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measurement_id', sa.Integer(), nullable=False),
    sa.Column('old_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('new_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.Column('corrected_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], name=op.f('fk_measurement_corrections_corrected_by_id_users')),
    sa.ForeignKeyConstraint(['measurement_id'], ['measurements.id'], name=op.f('fk_measurement_corrections_measurement_id_measurements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement_corrections'))
    )
    with op.batch_alter_table('measurement_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurement_corrections_measurement_id'), ['measurement_id'], unique=False)

    op.create_table('parliament_items',
    sa.Column('parliament_commitment_id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_items.id'], name=op.f('fk_parliament_items_action_item_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parliament_commitment_id'], ['parliament_commitments.id'], name=op.f('fk_parliament_items_parliament_commitment_id_parliament_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('parliament_commitment_id', 'action_item_id', name=op.f('pk_parliament_items'))
    )
    with op.batch_alter_table('parliament_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parliament_items_action_item_id'), ['action_item_id'], unique=False)

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))

    with op.batch_alter_table('focus_areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))

    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('producer', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('visibility', sa.String(length=16), server_default='public', nullable=False))

    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='aanbeveling', nullable=False))

    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))

    # Budget lines become capacity lines in euro per year (one kind of record, one query for the framework page).
    op.execute("INSERT INTO capacity_lines (key, organisation_id, applies_to, source_id, description, quantity, unit, period, note, "
               "created_at, updated_at) SELECT 'budget-' || lower(o.code) || '-' || s.key, b.organisation_id, '', b.source_id, b.note, "
               "b.yearly_eur, 'euro per jaar', '', '', b.created_at, b.updated_at "
               "FROM budget_lines b JOIN organisations o ON o.id = b.organisation_id JOIN sources s ON s.id = b.source_id")
    op.drop_table('budget_lines')


def downgrade() -> None:
    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('yearly_eur', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_budget_lines_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_budget_lines_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines')),
    sa.UniqueConstraint('organisation_id', 'source_id', name=op.f('uq_budget_lines_organisation_id_source_id'))
    )
    op.execute("INSERT INTO budget_lines (organisation_id, source_id, yearly_eur, note, created_at, updated_at) "
               "SELECT organisation_id, source_id, quantity, description, created_at, updated_at FROM capacity_lines "
               "WHERE key LIKE 'budget-%' AND organisation_id IS NOT NULL AND quantity IS NOT NULL")
    op.execute("ALTER TABLE sources DROP COLUMN note")
    op.execute("ALTER TABLE sources DROP COLUMN url")
    op.execute("ALTER TABLE sources DROP COLUMN issuer")
    op.execute("ALTER TABLE recommendations DROP COLUMN kind")
    op.execute("ALTER TABLE measurements DROP COLUMN version")
    op.execute("ALTER TABLE indicators DROP COLUMN visibility")
    op.execute("ALTER TABLE indicators DROP COLUMN producer")
    op.execute("ALTER TABLE focus_areas DROP COLUMN note")
    op.execute("ALTER TABLE commitments DROP COLUMN note")
    with op.batch_alter_table('parliament_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parliament_items_action_item_id'))

    op.drop_table('parliament_items')
    with op.batch_alter_table('measurement_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurement_corrections_measurement_id'))

    op.drop_table('measurement_corrections')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_targets_commitment_id'))

    op.drop_table('targets')
    op.drop_table('indicator_definitions')
    with op.batch_alter_table('indicator_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_commitments_commitment_id'))

    op.drop_table('indicator_commitments')
    op.drop_table('expected_figures')
    with op.batch_alter_table('commitment_carryovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_carryovers_to_commitment_id'))

    op.drop_table('commitment_carryovers')
    with op.batch_alter_table('recommendation_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_responses_recommendation_id'))

    op.drop_table('recommendation_responses')
    with op.batch_alter_table('recommendation_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_links_related_id'))

    op.drop_table('recommendation_links')
    with op.batch_alter_table('parliament_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parliament_commitments_owner_organisation_id'))

    op.drop_table('parliament_commitments')
    op.drop_table('capacity_lines')

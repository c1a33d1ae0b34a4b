"""The log of changes that can hide an item from someone who could see it before (issue 29): a change of an item's
visibility or owner, or a share taken away, each logged by a trigger with the database's time. A frozen report checks
today's rule only for the items logged since it was frozen (portal/reports/services.py), not for every item.

A new item or a new share hides nothing, so neither is logged. The items there are when this migration runs are logged
once, now: reports frozen before it cannot know what changed since, so they check every item until a day has passed.

Revision ID: e3f4a5b6c7d8
Revises: d2e3f4a5b6c7
Create Date: 2026-12-03 15:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "e3f4a5b6c7d8"
down_revision = "d2e3f4a5b6c7"
branch_labels = None
depends_on = None

LOG = "INSERT INTO visibility_changes (action_item_id) VALUES"


def upgrade() -> None:
    op.create_table(
        "visibility_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_visibility_changes"),
    )
    op.create_index("ix_visibility_changes_changed_at", "visibility_changes", ["changed_at"])
    op.execute("INSERT INTO visibility_changes (action_item_id) SELECT id FROM action_items")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION visibility_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF TG_TABLE_NAME = 'action_items' THEN {LOG} (NEW.id); ELSE {LOG} (OLD.action_item_id); END IF; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER visibility_changed AFTER UPDATE OF visibility, owner_organisation_id ON action_items FOR EACH ROW "
                   "WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility OR OLD.owner_organisation_id IS DISTINCT FROM NEW.owner_organisation_id) "
                   "EXECUTE FUNCTION visibility_changed()")
        op.execute("CREATE TRIGGER visibility_changed AFTER DELETE OR UPDATE ON action_item_shares FOR EACH ROW EXECUTE FUNCTION visibility_changed()")
        return
    op.execute("CREATE TRIGGER visibility_changed_item AFTER UPDATE OF visibility, owner_organisation_id ON action_items "
               "WHEN OLD.visibility IS NOT NEW.visibility OR OLD.owner_organisation_id IS NOT NEW.owner_organisation_id "
               f"BEGIN {LOG} (NEW.id); END")
    for event in ("DELETE", "UPDATE"):
        op.execute(f"CREATE TRIGGER visibility_changed_share_{event.lower()} AFTER {event} ON action_item_shares BEGIN {LOG} (OLD.action_item_id); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS visibility_changed ON action_items")
        op.execute("DROP TRIGGER IF EXISTS visibility_changed ON action_item_shares")
        op.execute("DROP FUNCTION IF EXISTS visibility_changed()")
    else:
        for name in ("visibility_changed_item", "visibility_changed_share_delete", "visibility_changed_share_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_visibility_changes_changed_at", table_name="visibility_changes")
    op.drop_table("visibility_changes")

"""Running counts of action items, kept by database triggers (migration c1d2e3f4a5b6) on both backends, so that the
roll-ups cost what the answer holds, not what the table holds (issue 29).

Each row counts the items with one combination of what decides who may see them (owner, visibility, audience) and what
is counted (focus area, status, due date, recommendation; the commitments' weights are summed). Every item counts in a row with audience 0, where
owner and visibility say who sees it, and in a row per organisation it is shared with (audience = that organisation),
which counts for that organisation while the item's visibility is "partners" (portal/actions/tallies.py reads them).
No focus area is 0, so that every key column is NOT NULL and one row per key is unique.
`flask --app wsgi portal recount-tallies` compares them with a count over the items (and repairs them with --repair).
"""
from __future__ import annotations

from sqlalchemy import Column, Date, Integer, Numeric, String, Table, func

from .base import Base, UTCDateTime

item_tallies = Table(
    "item_tallies",
    Base.metadata,
    Column("owner_organisation_id", Integer, primary_key=True),
    Column("visibility", String(16), primary_key=True),
    Column("focus_area_id", Integer, primary_key=True),
    Column("status", String(24), primary_key=True),
    Column("audience_id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("progress", Integer, nullable=False),  # the sum of the items' progress
    Column("weight", Numeric(14, 2), nullable=False),  # the sum of their commitments' weights (1 without a commitment)
    Column("weighted_progress", Numeric(16, 2), nullable=False),  # the sum of weight * progress
)

# The unfinished items with a due date, each counted in its due date's year, month and day (grain y, m, d; period: the
# first day of that year or month, or the date): "late on day D" is the years before D's year, the months of D's year
# before D's month and the days of D's month before D, a number of rows that the calendar bounds, not the items.
item_due_tallies = Table(
    "item_due_tallies",
    Base.metadata,
    Column("grain", String(1), primary_key=True),  # first in the key: a day's late items are three ranges of it
    Column("period", Date, primary_key=True),
    Column("owner_organisation_id", Integer, primary_key=True),
    Column("visibility", String(16), primary_key=True),
    Column("focus_area_id", Integer, primary_key=True),
    Column("audience_id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

recommendation_tallies = Table(
    "recommendation_tallies",
    Base.metadata,
    Column("recommendation_id", Integer, primary_key=True),
    Column("owner_organisation_id", Integer, primary_key=True),
    Column("visibility", String(16), primary_key=True),
    Column("status", String(24), primary_key=True),
    Column("audience_id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

# Every change that can hide an item from someone who could see it before: a change of its visibility or owner, or a
# share taken away (migration e3f4a5b6c7d8), logged by triggers on both backends with the database's time. A frozen
# report's row is checked against today's rule only when its item is in this log since the report was frozen: an item
# not in it is seen today as when it was frozen (portal/reports/services.py), so a report costs what changed, not every
# item (issue 29). No foreign key: a deleted item's rows stay and are never read.
visibility_changes = Table(
    "visibility_changes",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("action_item_id", Integer, nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False, server_default=func.current_timestamp(), index=True),
)

"""Tallies: running counts of action items kept by triggers on both backends (issue 29), filled from the items.

item_tallies per owner, visibility, audience, focus area and status (count, summed progress, summed commitment weight
and weighted progress; a change of a commitment's weight moves its items' weights); item_due_tallies per owner,
visibility, audience and focus area for unfinished items with a due date, each counted three times: in its due date's
year, month and day (grain y, m, d), so that "late on day D" reads the years before D's, the months of D's year before
D's month and the days of D's month before D: a number of rows bounded by the calendar, not by the items;
recommendation_tallies per recommendation, owner, visibility, audience and status. Every item has a row with audience
0 (who sees it follows from owner and visibility) and a row per organisation it is shared with (audience = that
organisation; it counts only while the item's visibility is "partners"). A write subtracts what the old row counted
and adds what the new one counts, in the same transaction as the write, so the tallies cannot drift from the items.

An item's shares and recommendation links are deleted by the item's own BEFORE DELETE trigger, while the item is
there to say what they counted (by the cascade the item would already be gone).

Revision ID: c1d2e3f4a5b6
Revises: b0c1d2e3f4a5
Create Date: 2026-12-03 13:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c1d2e3f4a5b6"
down_revision = "b0c1d2e3f4a5"
branch_labels = None
depends_on = None

SHARES = "action_item_shares"
LINKS = "action_item_recommendations"


def _start_of(unit: str, expr: str, dialect: str) -> str:
    """The first day of the year or month of a date, as each backend writes it."""
    if dialect == "postgresql":
        return f"CAST(date_trunc('{unit}', {expr}) AS date)"
    return f"date({expr}, 'start of {unit}')"


class Tally:
    """A tally: its key columns with their value over an item row {i}, its sums, which items it counts, the item
    columns it reads, and the grains an item is counted in (each a key column's value: one row per grain)."""

    def __init__(self, table: str, key: dict[str, str], sums: dict[str, str], where: str, columns: str, linked: bool = False,
                 grains: tuple[dict[str, str], ...] = ({},)):
        self.table, self.key, self.sums, self.where, self.columns, self.linked = table, key, sums, where, columns, linked
        self.grains = grains

    def rows(self, sign: int, item: str, audience: str, source: str, link: str = "l") -> list[str]:
        """The rows `source` selects, added (sign 1) or subtracted (-1), once per grain, as SELECTs for upsert(): item is
        the item row's name in it, audience the audience's expression, link a link row's."""
        return [self._select(item, audience, source, link, grain, [f"{sign} * ({v})" for v in self.sums.values()]) for grain in self.grains]

    def _select(self, item: str, audience: str, source: str, link: str, grain: dict[str, str], sums: list[str]) -> str:
        values = ([f"{link}.recommendation_id"] if self.linked else []) + [v.format(i=item) for v in {**self.key, **grain}.values()] + [audience]
        named = [f"{v} AS k{n}" for n, v in enumerate(values)] + [f"{v.format(i=item)} AS s{n}" for n, v in enumerate(sums)]
        return f"SELECT {', '.join(named)} {source} AND {self.where.format(i=item)}"

    def upsert(self, selects: list[str]) -> str:
        """One statement that adds the rows of the SELECTs to the tally, summed per key and in the key's order: a write
        locks the rows it changes in one order, so two writes that move items in opposite directions wait for each
        other instead of deadlocking. (SQLite needs the WHERE before ON CONFLICT.)"""
        columns = (["recommendation_id"] if self.linked else []) + [*self.key, *self.grains[0], "audience_id"]
        keys = ", ".join(f"d.k{n}" for n in range(len(columns)))
        sums = ", ".join(f"sum(d.s{n})" for n in range(len(self.sums)))
        updates = ", ".join(f"{c} = {self.table}.{c} + excluded.{c}" for c in self.sums)
        return (f"INSERT INTO {self.table} ({', '.join([*columns, *self.sums])}) SELECT {keys}, {sums} FROM ({' UNION ALL '.join(selects)}) AS d "
                f"WHERE 1 = 1 GROUP BY {keys} ORDER BY {keys} ON CONFLICT ({', '.join(columns)}) DO UPDATE SET {updates}")

    def item_rows(self, r: str, sign: int) -> list[str]:
        """An item row's base rows (the first len(grains)) and its rows per share (per link, for the recommendations)."""
        if self.linked:
            return [*self.rows(sign, r, "0", f"FROM {LINKS} l WHERE l.action_item_id = {r}.id"),
                    *self.rows(sign, r, "s.organisation_id", f"FROM {LINKS} l JOIN {SHARES} s ON s.action_item_id = l.action_item_id "
                                                             f"WHERE l.action_item_id = {r}.id")]
        return [*self.rows(sign, r, "0", "WHERE 1 = 1"), *self.rows(sign, r, "s.organisation_id", f"FROM {SHARES} s WHERE s.action_item_id = {r}.id")]

    def share_rows(self, r: str, sign: int) -> list[str]:
        """A share's rows, from its item (none when the item is gone)."""
        if self.linked:
            return self.rows(sign, "i", f"{r}.organisation_id", f"FROM action_items i JOIN {LINKS} l ON l.action_item_id = i.id "
                                                                f"WHERE i.id = {r}.action_item_id")
        return self.rows(sign, "i", f"{r}.organisation_id", f"FROM action_items i WHERE i.id = {r}.action_item_id")

    def link_rows(self, r: str, sign: int) -> list[str]:
        """A recommendation link's base row and its rows per share of the item."""
        return [*self.rows(sign, "i", "0", f"FROM action_items i WHERE i.id = {r}.action_item_id", link=r),
                *self.rows(sign, "i", "s.organisation_id", f"FROM action_items i JOIN {SHARES} s ON s.action_item_id = i.id "
                                                           f"WHERE i.id = {r}.action_item_id", link=r)]

    def fill(self) -> str:
        """The tally from the items as they are: the base rows and the rows per share, summed per key."""
        base = f"FROM {LINKS} l JOIN action_items i ON i.id = l.action_item_id" if self.linked else "FROM action_items i"
        return self.upsert([*self.rows(1, "i", "0", base + " WHERE 1 = 1"),
                            *self.rows(1, "i", "s.organisation_id", f"{base} JOIN {SHARES} s ON s.action_item_id = i.id WHERE 1 = 1")])

    def reweigh(self) -> str:
        """A commitment's weight changed from OLD to NEW: move its items' weights by the difference."""
        sums = ["0", "0", "NEW.weight - OLD.weight", "(NEW.weight - OLD.weight) * {i}.progress"]
        return self.upsert([self._select("i", audience, f"FROM action_items i{joined} WHERE i.commitment_id = NEW.id", "l", {}, sums)
                            for audience, joined in (("0", ""), ("s.organisation_id", f" JOIN {SHARES} s ON s.action_item_id = i.id"))])


ITEM_KEY = {"owner_organisation_id": "{i}.owner_organisation_id", "visibility": "{i}.visibility"}
WEIGHT = "coalesce((SELECT c.weight FROM commitments c WHERE c.id = {i}.commitment_id), 1)"
ITEMS = Tally("item_tallies", {**ITEM_KEY, "focus_area_id": "coalesce({i}.focus_area_id, 0)", "status": "{i}.status"},
              {"n": "1", "progress": "{i}.progress", "weight": WEIGHT, "weighted_progress": WEIGHT + " * {i}.progress"}, "1 = 1",
              "owner_organisation_id, visibility, focus_area_id, commitment_id, status, progress")
RECOMMENDATIONS = Tally("recommendation_tallies", {**ITEM_KEY, "status": "{i}.status"}, {"n": "1"}, "1 = 1",
                        "owner_organisation_id, visibility, status", linked=True)


def _due(dialect: str) -> Tally:
    """The due tally, its grains' periods written for the backend."""
    return Tally("item_due_tallies", {**ITEM_KEY, "focus_area_id": "coalesce({i}.focus_area_id, 0)"}, {"n": "1"},
                 "{i}.status NOT IN ('done', 'cancelled') AND {i}.due_date IS NOT NULL", "owner_organisation_id, visibility, focus_area_id, due_date, status",
                 grains=({"grain": "'y'", "period": _start_of("year", "{i}.due_date", dialect)},
                         {"grain": "'m'", "period": _start_of("month", "{i}.due_date", dialect)}, {"grain": "'d'", "period": "{i}.due_date"}))


def _sqlite(tallies: tuple[Tally, ...]) -> None:
    items, due, recommendations = tallies

    def changes(t: Tally, old: list[str], new: list[str]) -> str:
        return t.upsert([*old, *new]) + ";"

    for t in (items, due):
        base = len(t.grains)  # the first rows of item_rows: the base rows (an item new or gone has no shares)
        op.execute(f"CREATE TRIGGER {t.table}_ai AFTER INSERT ON action_items BEGIN {changes(t, [], t.item_rows('NEW', 1)[:base])} END")
        op.execute(f"CREATE TRIGGER {t.table}_ad AFTER DELETE ON action_items BEGIN {changes(t, t.item_rows('OLD', -1)[:base], [])} END")
    for t in tallies:
        op.execute(f"CREATE TRIGGER {t.table}_au AFTER UPDATE OF {t.columns} ON action_items BEGIN "
                   f"{changes(t, t.item_rows('OLD', -1), t.item_rows('NEW', 1))} END")
    op.execute(f"CREATE TRIGGER tallies_bd BEFORE DELETE ON action_items BEGIN DELETE FROM {LINKS} WHERE action_item_id = OLD.id; "
               f"DELETE FROM {SHARES} WHERE action_item_id = OLD.id; END")
    for suffix, old, new in (("ai", False, True), ("au", True, True), ("ad", True, False)):
        body = " ".join(changes(t, t.share_rows("OLD", -1) if old else [], t.share_rows("NEW", 1) if new else []) for t in tallies)
        op.execute(f"CREATE TRIGGER tallies_share_{suffix} AFTER {dict(ai='INSERT', au='UPDATE', ad='DELETE')[suffix]} ON {SHARES} BEGIN {body} END")
        body = changes(recommendations, recommendations.link_rows("OLD", -1) if old else [], recommendations.link_rows("NEW", 1) if new else [])
        op.execute(f"CREATE TRIGGER tallies_link_{suffix} AFTER {dict(ai='INSERT', au='UPDATE', ad='DELETE')[suffix]} ON {LINKS} BEGIN {body} END")
    op.execute(f"CREATE TRIGGER tallies_weight_au AFTER UPDATE OF weight ON commitments BEGIN {items.reweigh()}; END")


def _function(name: str, body: str, returns: str = "NULL") -> None:
    op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN {returns}; END $$")


def _changes(t: Tally, old: list[str], new: list[str]) -> str:
    """The tally's change for the trigger's operation, one upsert (old rows subtracted, new ones added)."""
    return (f"IF TG_OP = 'INSERT' THEN {t.upsert(new)}; ELSIF TG_OP = 'DELETE' THEN {t.upsert(old)}; "
            f"ELSE {t.upsert([*old, *new])}; END IF;")


def _postgresql(tallies: tuple[Tally, ...]) -> None:
    items, due, recommendations = tallies
    for t in (items, due):
        _function(f"{t.table}_item", _changes(t, t.item_rows("OLD", -1), t.item_rows("NEW", 1)))
        op.execute(f"CREATE TRIGGER {t.table}_item AFTER INSERT OR DELETE OR UPDATE OF {t.columns} ON action_items "
                   f"FOR EACH ROW EXECUTE FUNCTION {t.table}_item()")
    _function("recommendation_tallies_item", recommendations.upsert([*recommendations.item_rows("OLD", -1), *recommendations.item_rows("NEW", 1)]) + ";")
    op.execute(f"CREATE TRIGGER recommendation_tallies_item AFTER UPDATE OF {recommendations.columns} ON action_items "
               "FOR EACH ROW EXECUTE FUNCTION recommendation_tallies_item()")
    _function("tallies_item_delete", f"DELETE FROM {LINKS} WHERE action_item_id = OLD.id; DELETE FROM {SHARES} WHERE action_item_id = OLD.id;", "OLD")
    op.execute("CREATE TRIGGER tallies_item_delete BEFORE DELETE ON action_items FOR EACH ROW EXECUTE FUNCTION tallies_item_delete()")
    _function("tallies_share", " ".join(_changes(t, t.share_rows("OLD", -1), t.share_rows("NEW", 1)) for t in tallies))
    op.execute(f"CREATE TRIGGER tallies_share AFTER INSERT OR UPDATE OR DELETE ON {SHARES} FOR EACH ROW EXECUTE FUNCTION tallies_share()")
    _function("tallies_link", _changes(recommendations, recommendations.link_rows("OLD", -1), recommendations.link_rows("NEW", 1)))
    op.execute(f"CREATE TRIGGER tallies_link AFTER INSERT OR UPDATE OR DELETE ON {LINKS} FOR EACH ROW EXECUTE FUNCTION tallies_link()")
    _function("tallies_weight", items.reweigh() + ";")
    op.execute("CREATE TRIGGER tallies_weight AFTER UPDATE OF weight ON commitments FOR EACH ROW EXECUTE FUNCTION tallies_weight()")


def upgrade() -> None:
    op.create_table(
        "item_tallies",
        sa.Column("owner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("weighted_progress", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("owner_organisation_id", "visibility", "focus_area_id", "status", "audience_id", name="pk_item_tallies"),
    )
    op.create_table(
        "item_due_tallies",
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        # grain and period first: a day's late items are three ranges of the key
        sa.PrimaryKeyConstraint("grain", "period", "owner_organisation_id", "visibility", "focus_area_id", "audience_id", name="pk_item_due_tallies"),
    )
    op.create_table(
        "recommendation_tallies",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("recommendation_id", "owner_organisation_id", "visibility", "status", "audience_id", name="pk_recommendation_tallies"),
    )
    dialect = op.get_bind().dialect.name
    tallies = (ITEMS, _due(dialect), RECOMMENDATIONS)
    for t in tallies:
        op.execute(t.fill())
    (_postgresql if dialect == "postgresql" else _sqlite)(tallies)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("item_tallies_item", "item_due_tallies_item", "recommendation_tallies_item", "tallies_item_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON action_items")
        op.execute(f"DROP TRIGGER IF EXISTS tallies_share ON {SHARES}")
        op.execute(f"DROP TRIGGER IF EXISTS tallies_link ON {LINKS}")
        op.execute("DROP TRIGGER IF EXISTS tallies_weight ON commitments")
        for name in ("item_tallies_item", "item_due_tallies_item", "recommendation_tallies_item", "tallies_item_delete", "tallies_share", "tallies_link",
                     "tallies_weight"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in ("item_tallies_ai", "item_tallies_ad", "item_tallies_au", "item_due_tallies_ai", "item_due_tallies_ad", "item_due_tallies_au",
                     "recommendation_tallies_au", "tallies_bd", "tallies_share_ai", "tallies_share_au", "tallies_share_ad", "tallies_link_ai",
                     "tallies_link_au", "tallies_link_ad", "tallies_weight_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("recommendation_tallies", "item_due_tallies", "item_tallies"):
        op.drop_table(table)

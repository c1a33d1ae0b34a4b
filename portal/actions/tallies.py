"""The roll-ups of action items from their tallies (models/tally.py): what a viewer may see, counted per owner, focus area
and status (with the commitments' weights), late on a day, and per recommendation; each in one statement that reads
the tally rows the viewer may see, never the items.

An item's base row (audience 0) counts under the rule without shares (visibility.unshared_clause); its row for an
organisation it is shared with counts for that organisation while the item's visibility is "partners".
`recount()` compares the tallies with a count over the items (the `recount-tallies` command).

The cached roll-ups' statements are built once per visibility scope and day (portal.statements).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Float, Select, and_, cast, delete, func, insert, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from models import (
    FINISHED,
    ActionItem,
    Commitment,
    FocusArea,
    Organisation,
    User,
    action_item_recommendations,
    action_item_shares,
    item_due_tallies,
    item_tallies,
    recommendation_tallies,
)

from ..cache import cache
from ..statements import built
from ..visibility import ViewerScope, unshared_clause
from ..visibility import scope as visibility_scope

LATE = "late"  # the status of the rows that count the late items in counts()
NONE = 0  # no focus area or commitment, in a tally's key
EVERYONE = 0  # the audience of an item's base row


@dataclass(frozen=True)
class Only:
    """Which items to count: an owner and a focus area by code, focus areas by id (NONE: without one) and statuses; None
    is every one. Hashable, so that a statement over it is built once (portal.statements)."""

    owner: str | None = None  # an organisation's code
    area: str | None = None  # a focus area's code
    area_ids: tuple[int, ...] | None = None
    statuses: tuple[str, ...] | None = None

    def where(self, owner, area, status=None) -> ColumnElement[bool]:
        """The condition over these owner, area and status columns (no status column: statuses must be None)."""
        parts = [true()]
        if self.owner is not None:
            parts.append(owner.in_(select(Organisation.id).where(Organisation.code == self.owner)))
        if self.area is not None:
            parts.append(area.in_(select(FocusArea.id).where(FocusArea.code == self.area)))
        if self.area_ids is not None:
            parts.append(area.in_(self.area_ids))
        if self.statuses is not None:
            parts.append(status.in_(self.statuses))
        return and_(*parts)


EVERY = Only()


def _seen(viewer: ViewerScope, t) -> ColumnElement[bool]:
    """The tally rows that count for the viewer: the base rows under the rule without shares, and the rows of the
    items with visibility "partners" that another organisation shared with the viewer."""
    return or_(and_(t.audience_id == EVERYONE, unshared_clause(viewer, t.visibility, t.owner_organisation_id)),
               and_(t.audience_id == viewer.organisation_id, t.visibility == "partners", t.owner_organisation_id != viewer.organisation_id))


def _statuses(viewer: ViewerScope, only: Only) -> Select:
    """(owner, area, status, n, weight, weighted progress) rows over what the viewer may see, unsummed."""
    t = item_tallies.c
    return select(t.owner_organisation_id.label("owner"), t.focus_area_id.label("area"), t.status.label("status"), t.n.label("n"),
                  t.weight.label("weight"), t.weighted_progress.label("progress")) \
        .where(_seen(viewer, t), t.n != 0, only.where(t.owner_organisation_id, t.focus_area_id, t.status))


def _late(viewer: ViewerScope, day: date, only: Only) -> Select:
    """(owner, area, n) rows of the unfinished items due before `day` that the viewer may see, unsummed (of any
    unfinished status: the due tallies keep none): the years before day's year, the months of its year before its
    month, the days of its month before it."""
    t = item_due_tallies.c
    year, month = day.replace(month=1, day=1), day.replace(day=1)
    before = or_(and_(t.grain == "y", t.period < year), and_(t.grain == "m", t.period >= year, t.period < month),
                 and_(t.grain == "d", t.period >= month, t.period < day))
    return select(t.owner_organisation_id.label("owner"), t.focus_area_id.label("area"), t.n.label("n")) \
        .where(_seen(viewer, t), before, t.n != 0, replace(only, statuses=None).where(t.owner_organisation_id, t.focus_area_id))


def counts(session: Session, viewer: User | None, day: date, area_id: int | None = None) -> list:
    """Per owner, focus area and status what the viewer may see (of one focus area, or of all): rows (owner id, owner
    code, owner name, area id or None, area code, area title, area position, status, n, weight, weighted progress), where
    weight is the summed weight of the items' commitments (1 without one); and per owner and focus area a row with
    status LATE whose n counts the items late on `day`. One statement, its answer cached per visibility scope."""
    if viewer is None or not viewer.is_active:
        return []
    seen = visibility_scope(viewer)
    return cache().get_or_compute("tally-counts", (day.isoformat(), area_id or "all"), lambda: _counts(session, seen, day, area_id), scope=seen)


def _counts(session: Session, viewer: ViewerScope, day: date, area_id: int | None) -> list:
    return [[owner, code, name, area or None, area_code, area_title, position, status, int(n or 0), float(w or 0), float(p or 0)]
            for owner, code, name, area, area_code, area_title, position, status, n, w, p in session.execute(_counts_statement(viewer, day, area_id))]


@built
def _counts_statement(viewer: ViewerScope, day: date, area_id: int | None) -> Select:
    only = EVERY if area_id is None else Only(area_ids=(area_id,))
    rows = _statuses(viewer, only).subquery()
    # The weights as floating point: the page rounds them, and SQLite would turn each into a Decimal by way of a string.
    by_status = select(rows.c.owner, rows.c.area, rows.c.status, func.sum(rows.c.n), cast(func.sum(rows.c.weight), Float),
                       cast(func.sum(rows.c.progress), Float)) \
        .group_by(rows.c.owner, rows.c.area, rows.c.status)
    late_rows = _late(viewer, day, only).subquery()
    late = select(late_rows.c.owner, late_rows.c.area, literal(LATE), func.sum(late_rows.c.n), literal(0), literal(0)) \
        .group_by(late_rows.c.owner, late_rows.c.area)
    both = union_all(by_status, late).subquery()
    c = list(both.c)
    return (select(c[0], Organisation.code, Organisation.name, c[1], FocusArea.code, FocusArea.title, FocusArea.position, *c[2:])
            .join(Organisation, Organisation.id == c[0]).outerjoin(FocusArea, FocusArea.id == c[1]))


def total(session: Session, viewer: User | None, only: Only = EVERY, late_on: date | None = None) -> int:
    """How many items the viewer may see, of those `only` names (late_on: only those late on that day). One statement."""
    if viewer is None or not viewer.is_active:
        return 0
    return int(session.scalar(_total_statement(visibility_scope(viewer), only, late_on)) or 0)


@built
def _total_statement(viewer: ViewerScope, only: Only, late_on: date | None) -> Select:
    rows = (_statuses(viewer, only) if late_on is None else _late(viewer, late_on, only)).subquery()
    return select(func.coalesce(func.sum(rows.c.n), 0))


def per_recommendation(session: Session, viewer: User | None) -> list[list]:
    """(recommendation id, status, n) over the items the viewer may see. One statement, its answer cached per
    visibility scope."""
    if viewer is None or not viewer.is_active:
        return []
    seen = visibility_scope(viewer)
    return cache().get_or_compute("tally-recommendations", (), lambda: [[rec, status, int(n)] for rec, status, n in session.execute(
        _per_recommendation_statement(seen))], scope=seen)


@built
def _per_recommendation_statement(viewer: ViewerScope) -> Select:
    t = recommendation_tallies.c
    return select(t.recommendation_id, t.status, func.sum(t.n)).where(_seen(viewer, t), t.n != 0).group_by(t.recommendation_id, t.status)


def _expected(session: Session) -> dict:
    """Each tally as the items say it should be, counted in Python from the items, their shares and links and the
    commitments' weights (not from the triggers' SQL): {table: {key: sums}}, keys and sums in the table's order."""
    weights: dict[int, Decimal] = {c_id: Decimal(w) for c_id, w in session.execute(select(Commitment.id, Commitment.weight))}
    shares: dict[int, list[int]] = {}
    for item_id, org_id in session.execute(select(action_item_shares.c.action_item_id, action_item_shares.c.organisation_id)):
        shares.setdefault(item_id, []).append(org_id)
    links: dict[int, list[int]] = {}
    for item_id, rec_id in session.execute(select(action_item_recommendations.c.action_item_id, action_item_recommendations.c.recommendation_id)):
        links.setdefault(item_id, []).append(rec_id)
    expected: dict = {item_tallies: {}, item_due_tallies: {}, recommendation_tallies: {}}

    def add(table, key: tuple, sums: tuple) -> None:
        old = expected[table].get(key)
        expected[table][key] = sums if old is None else tuple(a + b for a, b in zip(old, sums, strict=True))

    i = ActionItem
    for item_id, owner, visibility, area, commitment, status, progress, due in session.execute(
            select(i.id, i.owner_organisation_id, i.visibility, i.focus_area_id, i.commitment_id, i.status, i.progress, i.due_date)):
        weight = weights[commitment] if commitment is not None else Decimal(1)
        for audience in (EVERYONE, *shares.get(item_id, ())):
            add(item_tallies, (owner, visibility, area or NONE, status, audience), (1, progress, weight, weight * progress))
            if due is not None and status not in FINISHED:
                for grain, period in (("y", due.replace(month=1, day=1)), ("m", due.replace(day=1)), ("d", due)):
                    add(item_due_tallies, (grain, period, owner, visibility, area or NONE, audience), (1,))
            for rec in links.get(item_id, ()):
                add(recommendation_tallies, (rec, owner, visibility, status, audience), (1,))
    return expected


def _same(sums: tuple) -> tuple:
    """Sums as compared: whole counts, and weights to the cent (SQLite keeps them as floating point)."""
    return tuple(int(v) if isinstance(v, int) else round(Decimal(str(v)), 2) for v in sums)


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    stored: tuple | None  # the sums as the tally holds them (None: no row)
    counted: tuple | None  # the sums as the items say (None: no item)


def recount(session: Session, repair: bool = False) -> list[Difference]:
    """Every tally row that differs from a count over the items (rows whose sums are all 0 count as no row). With
    repair, each differing tally is rewritten from the count, in the caller's transaction."""
    differences: list[Difference] = []
    for table, counted in _expected(session).items():
        keys = [c for c in table.c if c.primary_key]
        sums = [c for c in table.c if not c.primary_key]
        counted = {key: _same(v) for key, v in counted.items()}
        stored = {tuple(row[:len(keys)]): _same(tuple(row[len(keys):])) for row in session.execute(select(*keys, *sums)) if any(row[len(keys):])}
        found = [Difference(table.name, key, stored.get(key), counted.get(key))
                 for key in sorted(counted.keys() | stored.keys(), key=str) if stored.get(key) != counted.get(key)]
        if found and repair:
            _rewrite(session, table, counted)
        differences += found
    return differences


def _rewrite(session: Session, table, counted: dict[tuple, tuple]) -> None:
    """The tally's rows replaced by the counted ones (keys and sums in the table's column order)."""
    session.execute(delete(table))
    if counted:  # (an empty list would insert one row of defaults)
        names = [c.name for c in table.c if c.primary_key] + [c.name for c in table.c if not c.primary_key]
        session.execute(insert(table), [dict(zip(names, (*key, *v), strict=True)) for key, v in counted.items()])

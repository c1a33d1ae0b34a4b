"""Live roll-ups for the framework pages, as SQL aggregates over what the viewer may see.

Reports freeze the same figures from a snapshot (reports/snapshot.py); the live
pages must stay fast at tens of thousands of items, so they count in the database.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, joinedload

from models import STATUSES, ActionItem, Commitment, Framework, Organisation, Recommendation, User, action_item_recommendations, late_clause

from ..actions.permissions import visible_clause
from ..cache import cache
from ..visibility import scope as visibility_scope
from . import queries
from .state import recommendation_state


def _empty() -> dict[str, int]:
    return {s: 0 for s in STATUSES}


def framework(session: Session, on: date, framework_id: int | None = None) -> Framework | None:
    """The framework a page shows: the one asked for, else the one in force on the date."""
    return queries.in_force(session, on, framework_id)


def summary(session: Session, viewer: User, today: date, area_id: int | None = None) -> dict:
    """Counts per focus area (and per owner organisation) by status, overdue, weighted share done: one statement."""
    weight = func.coalesce(Commitment.weight, literal(1))
    stmt = (select(ActionItem.owner_organisation_id, ActionItem.focus_area_id, Organisation.code, ActionItem.status, func.count(ActionItem.id),
                   func.sum(weight), func.sum(weight * ActionItem.progress),
                   func.count(ActionItem.id).filter(late_clause(ActionItem.status, ActionItem.due_date, today)))
            .join(Organisation, Organisation.id == ActionItem.owner_organisation_id)
            .outerjoin(Commitment, Commitment.id == ActionItem.commitment_id)
            .where(visible_clause(viewer))
            .group_by(ActionItem.owner_organisation_id, ActionItem.focus_area_id, Organisation.code, ActionItem.status))
    if area_id is not None:
        stmt = stmt.where(ActionItem.focus_area_id == area_id)

    def compute(owners: list[int] | None) -> list[list]:
        chosen = stmt if owners is None else stmt.where(ActionItem.owner_organisation_id.in_(owners))
        return [[owner, area, org, status, n, float(w or 0), float(wp or 0), overdue]
                for owner, area, org, status, n, w, wp, overdue in session.execute(chosen)]
    areas: dict = defaultdict(lambda: {"counts": _empty(), "by_organisation": defaultdict(_empty), "total": 0, "overdue": 0,
                                       "weight": 0.0, "done_weight": 0.0, "progress": 0.0})
    totals: dict[str, Any] = {"counts": _empty(), "total": 0, "overdue": 0}
    rows = cache().rows_per_owner("rollup", (today.isoformat(), area_id), session, compute,
                                  scope=visibility_scope(viewer))
    for _owner, area, org, status, n, w, wp, overdue in rows:
        a = areas[area]
        a["counts"][status] += n
        a["by_organisation"][org][status] += n
        a["total"] += n
        a["overdue"] += overdue
        if status != "cancelled":
            a["weight"] += float(w or 0)
            a["progress"] += float(wp or 0)
        if status == "done":
            a["done_weight"] += float(w or 0)
        totals["counts"][status] += n
        totals["total"] += n
        totals["overdue"] += overdue
    for a in areas.values():
        a["share_done"] = round(100 * a["done_weight"] / a["weight"]) if a["weight"] else None
        a["average_progress"] = round(a["progress"] / a["weight"]) if a["weight"] else None
        a["by_organisation"] = dict(sorted(a["by_organisation"].items()))
    return {"areas": areas, **totals}


def recommendations(session: Session, viewer: User) -> list[dict]:
    """Every recommendation with its source and the implementation state over the viewer's visible items: two statements."""
    recs = session.scalars(select(Recommendation).order_by(Recommendation.id).options(
        joinedload(Recommendation.source), joinedload(Recommendation.addressees), joinedload(Recommendation.focus_areas))).unique().all()
    statuses: defaultdict[int, list[str]] = defaultdict(list)
    # The visible items first (an index-only scan of ix_action_items_rollup), then their links by primary key. Left to
    # itself SQLite walks the links in recommendation order and fetches each item's row (23 vs 12 ms at 20,000 items);
    # PostgreSQL plans the plain join well and a materialised one costs it 3 ms more, hence MATERIALIZED for SQLite only.
    links = action_item_recommendations.c

    def compute(owners: list[int] | None) -> list[list]:
        chosen = select(ActionItem.id, ActionItem.owner_organisation_id, ActionItem.status).where(visible_clause(viewer))
        if owners is not None:
            chosen = chosen.where(ActionItem.owner_organisation_id.in_(owners))
        visible = chosen.cte("visible").prefix_with("MATERIALIZED", dialect="sqlite")
        return [list(row) for row in session.execute(
            select(visible.c.owner_organisation_id, links.recommendation_id, visible.c.status, func.count())
            .join_from(visible, action_item_recommendations, links.action_item_id == visible.c.id)
            .group_by(visible.c.owner_organisation_id, links.recommendation_id, visible.c.status))]

    rows = cache().rows_per_owner("recommendation-states", (), session, compute, scope=visibility_scope(viewer))
    for _owner, rec_id, status, n in rows:
        statuses[rec_id] += [status] * n
    return [{"id": r.id, "source": r.source.key, "source_title": r.source.title, "source_year": r.source.year,
             "source_date": r.source.issued_on.isoformat() if r.source.issued_on else None, "number": r.number, "text": r.text,
             "response": r.response, "addressees": [{"code": o.code, "name": o.name} for o in r.addressees], "focus_areas": [a.code for a in r.focus_areas],
             "items": len(statuses[r.id]), "state": recommendation_state(statuses[r.id])} for r in recs]


def area_items(session: Session, viewer: User, area_id: int, today: date, limit: int = 100) -> list[ActionItem]:
    overdue_first = case((late_clause(ActionItem.status, ActionItem.due_date, today), 0), else_=1)
    return list(session.scalars(select(ActionItem).where(visible_clause(viewer), ActionItem.focus_area_id == area_id)
                                .order_by(overdue_first, ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id).limit(limit)
                                .options(joinedload(ActionItem.owner_organisation))))

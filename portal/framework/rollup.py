"""Live roll-ups for the framework pages over what the viewer may see, from the tallies (portal/actions/tallies.py).

Reports freeze the same figures from a snapshot (reports/snapshot.py); the live pages must stay fast at tens of
thousands of items, so they read running counts that cost what the answer holds.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from models import FINISHED, STATUSES, ActionItem, Framework, Recommendation, User, late_clause

from ..actions import tallies
from ..actions.permissions import visible_clause
from ..actions.queries import SORTS
from ..statements import built
from . import queries
from .state import recommendation_state


def _empty() -> dict[str, int]:
    return {s: 0 for s in STATUSES}


def framework(session: Session, on: date, framework_id: int | None = None) -> Framework | None:
    """The framework a page shows: the one asked for, else the one in force on the date."""
    return queries.in_force(session, on, framework_id)


def summary(session: Session, viewer: User, today: date, area_id: int | None = None) -> dict:
    """Counts per focus area (and per owner organisation) by status, overdue, weighted share done: one statement over the
    tallies (portal/actions/tallies.py)."""
    areas: dict = defaultdict(lambda: {"counts": _empty(), "by_organisation": defaultdict(_empty), "total": 0, "overdue": 0,
                                       "weight": 0.0, "done_weight": 0.0, "progress": 0.0})
    totals: dict[str, Any] = {"counts": _empty(), "total": 0, "overdue": 0}
    for _owner, org, _name, area, _code, _title, _position, status, n, w, wp in tallies.counts(session, viewer, today, area_id):
        a = areas[area]
        if status == tallies.LATE:
            a["overdue"] += n
            totals["overdue"] += n
            continue
        a["counts"][status] += n
        a["by_organisation"][org][status] += n
        a["total"] += n
        if status != "cancelled":
            a["weight"] += w
            a["progress"] += wp
        if status == "done":
            a["done_weight"] += w
        totals["counts"][status] += n
        totals["total"] += n
    for a in areas.values():
        a["share_done"] = round(100 * a["done_weight"] / a["weight"]) if a["weight"] else None
        a["average_progress"] = round(a["progress"] / a["weight"]) if a["weight"] else None
        a["by_organisation"] = dict(sorted(a["by_organisation"].items()))
    return {"areas": areas, **totals}


def recommendations(session: Session, viewer: User) -> list[dict]:
    """Every recommendation with its source and the implementation state over the viewer's visible items: two statements
    (the recommendations, and their items' statuses from the tallies)."""
    recs = session.scalars(_all_recommendations()).unique().all()
    statuses: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for rec_id, status, n in tallies.per_recommendation(session, viewer):
        statuses[rec_id][status] = n
    return [{"id": r.id, "source": r.source.key, "source_title": r.source.title, "source_year": r.source.year,
             "source_date": r.source.issued_on.isoformat() if r.source.issued_on else None, "number": r.number, "text": r.text,
             "response": r.response, "addressees": [{"code": o.code, "name": o.name} for o in r.addressees], "focus_areas": [a.code for a in r.focus_areas],
             "items": sum(statuses[r.id].values()), "state": recommendation_state(statuses[r.id])} for r in recs]


@built
def _all_recommendations() -> Select:
    return select(Recommendation).order_by(Recommendation.id).options(
        joinedload(Recommendation.source), joinedload(Recommendation.addressees), joinedload(Recommendation.focus_areas))


def area_items(session: Session, viewer: User, area_id: int, today: date, limit: int = 100) -> list[ActionItem]:
    """The area's items the viewer may see: the late ones, then the others with a due date, each by due date, then
    those without one. One statement whose three parts each walk ix_action_items_area_due in its order and stop at
    `limit` (one ORDER BY "late first" would sort every item of the area)."""
    visible = and_(visible_clause(viewer), ActionItem.focus_area_id == area_id)
    due, by_due = ActionItem.due_date, (ActionItem.due_date, ActionItem.id)
    parts = [select(ActionItem.id, literal(rank).label("rank")).where(visible, where).order_by(*order).limit(limit).subquery()
             for rank, where, order in ((0, late_clause(ActionItem.status, due, today), by_due),
                                        (1, and_(due.is_not(None), or_(due >= today, ActionItem.status.in_(FINISHED))), by_due),
                                        (2, due.is_(None), (ActionItem.id,)))]
    picked = union_all(*(select(part) for part in parts)).subquery()
    return list(session.scalars(select(ActionItem).join(picked, picked.c.id == ActionItem.id)
                                .order_by(picked.c.rank, *SORTS["due_date"]).limit(limit)
                                .options(joinedload(ActionItem.owner_organisation))))

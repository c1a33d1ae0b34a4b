"""Full text: PostgreSQL tsvector (dutch stemming) or SQLite FTS5; visibility applied in the same query."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Integer, any_, func, literal, literal_column, select, text, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload

from models import ActionItem, AgendaItem, Comment, Meeting, Minutes, ProgressUpdate, Recommendation, User

from ..extensions import db
from .permissions import items_clause as visible_clause
from .permissions import minutes_clause as restricted_minutes_clause

LIMIT = 50
# The newest matches per kind that are candidates for a page of results, on both backends.
CANDIDATES = {"item": 500, "update": 500, "comment": 500, "recommendation": 100, "minutes": 500}
# SQLite's search_fts: rowid = id * FTS_KINDS + the kind's number (migration a3b4c5d6e7f8 and its triggers).
FTS_KINDS = 8
FTS_KIND_NUMBERS = {"item": 1, "update": 2, "comment": 3, "recommendation": 4, "minutes": 5}


@dataclass
class Results:
    items: list[ActionItem] = field(default_factory=list)
    reasons: dict[int, set[str]] = field(default_factory=dict)
    recommendations: list[Recommendation] = field(default_factory=list)
    minutes: list = field(default_factory=list)  # (AgendaItem, Meeting) pairs the viewer may read

    @property
    def total(self) -> int:
        return len(self.items) + len(self.recommendations) + len(self.minutes)


def _fts5_query(q: str) -> str:
    """Each word as a quoted FTS5 string: user text can never be FTS5 syntax."""
    words = re.findall(r"\w+", q, flags=re.UNICODE)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _candidates(q: str) -> tuple[dict[int, set[str]], list[int], list[int]]:
    """(item id -> where it matched, recommendation ids, minutes ids)."""
    reasons: dict[int, set[str]] = {}
    recs: list[int] = []
    minutes: list[int] = []
    if db.session.get_bind().dialect.name == "postgresql":
        tsq = func.websearch_to_tsquery("dutch", q)

        def matches(model):
            return literal_column(f"{model.__tablename__}.search_vector").op("@@")(tsq)

        # One statement over the five indexed tables.
        rows = db.session.execute(union_all(
            select(literal("item"), ActionItem.id, ActionItem.id).where(matches(ActionItem)).order_by(ActionItem.id.desc())
            .limit(CANDIDATES["item"]),
            select(literal("update"), ProgressUpdate.id, ProgressUpdate.action_item_id).where(matches(ProgressUpdate))
            .order_by(ProgressUpdate.id.desc()).limit(CANDIDATES["update"]),
            select(literal("comment"), Comment.id, Comment.action_item_id).where(matches(Comment)).order_by(Comment.id.desc())
            .limit(CANDIDATES["comment"]),
            select(literal("recommendation"), Recommendation.id, literal(None)).where(matches(Recommendation)).order_by(Recommendation.id.desc())
            .limit(CANDIDATES["recommendation"]),
            select(literal("minutes"), Minutes.id, literal(None)).where(matches(Minutes)).order_by(Minutes.id.desc())
            .limit(CANDIDATES["minutes"]),
        )).all()
    else:
        query = _fts5_query(q)
        if not query:
            return reasons, recs, minutes
        # The row's kind is in its rowid (migration a3b4c5d6e7f8), so each kind's newest matches come from the index
        # alone: no ranking of every match, no reading of the rows that do not make the cut.
        rows = db.session.execute(text(" UNION ALL ".join(
            f"SELECT * FROM (SELECT kind, ref_id, item_id FROM search_fts WHERE search_fts MATCH :q AND rowid % {FTS_KINDS} = {number} "
            f"ORDER BY rowid DESC LIMIT {CANDIDATES[kind]})" for kind, number in FTS_KIND_NUMBERS.items())), {"q": query}).all()
    for kind, ref_id, item_id in rows:
        if kind == "recommendation":
            recs.append(int(ref_id))
        elif kind == "minutes":
            minutes.append(int(ref_id))
        else:
            reasons.setdefault(int(item_id), set()).add(kind)
    return reasons, recs, minutes


def _among(column, ids: list[int]):
    """column IN ids; on PostgreSQL as one array parameter (= ANY), not hundreds of bound values."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


def search(user: User | None, q: str) -> Results:
    reasons, rec_ids, minutes_ids = _candidates(q)
    results = Results()
    # Each query runs even when nothing matched: a fixed number of statements per search.
    results.items = db.session.scalars(
        select(ActionItem).where(_among(ActionItem.id, list(reasons)), visible_clause(user))
        .order_by(ActionItem.updated_at.desc()).limit(LIMIT)
        .options(joinedload(ActionItem.owner_organisation))
    ).all()
    results.reasons = {i.id: reasons[i.id] for i in results.items}
    results.recommendations = db.session.scalars(
        select(Recommendation).where(_among(Recommendation.id, rec_ids)).order_by(Recommendation.id)
        .options(joinedload(Recommendation.source))
    ).all()
    results.minutes = db.session.execute(
        select(AgendaItem, Meeting).join(Minutes, Minutes.agenda_item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(_among(Minutes.id, minutes_ids), restricted_minutes_clause(user))
        .order_by(Meeting.starts_at.desc()).limit(LIMIT)
    ).all()
    return results

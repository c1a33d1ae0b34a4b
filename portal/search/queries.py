"""Full text: PostgreSQL tsvector (dutch stemming) or SQLite FTS5; visibility applied in the same query."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import column, func, literal, literal_column, select, table, union_all
from sqlalchemy.orm import joinedload

from models import ActionItem, AgendaItem, Comment, Meeting, Minutes, ProgressUpdate, Recommendation, User

from ..extensions import db
from .permissions import items_clause as visible_clause
from .permissions import minutes_clause as restricted_minutes_clause

LIMIT = 50
CANDIDATES = 500


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


def _matching(q: str):
    """The full-text predicates, as SQL for the engine in use: (items matched in themselves, their updates or comments,
    recommendation ids, minutes ids, and the (kind, item id) pairs that say where an item matched)."""
    if db.session.get_bind().dialect.name == "postgresql":
        tsq = func.websearch_to_tsquery("dutch", q)

        def matches(model):
            return literal_column(f"{model.__tablename__}.search_vector").op("@@")(tsq)

        # The most recent matches per kind (CANDIDATES each): a bounded semi-join, however common the word.
        items = ActionItem.id.in_(union_all(*(
            select(ref).where(matches(model)).order_by(model.id.desc()).limit(CANDIDATES)
            for model, ref in ((ActionItem, ActionItem.id), (ProgressUpdate, ProgressUpdate.action_item_id), (Comment, Comment.action_item_id)))))
        recs = select(Recommendation.id).where(matches(Recommendation))
        minutes = select(Minutes.id).where(matches(Minutes))

        def where(ids):
            return union_all(select(literal("item"), ActionItem.id).where(ActionItem.id.in_(ids), matches(ActionItem)),
                             select(literal("update"), ProgressUpdate.action_item_id).where(ProgressUpdate.action_item_id.in_(ids),
                                                                                            matches(ProgressUpdate)),
                             select(literal("comment"), Comment.action_item_id).where(Comment.action_item_id.in_(ids), matches(Comment)))
        return items, recs, minutes, where
    query = _fts5_query(q) or '""'
    fts = table("search_fts", column("kind"), column("ref_id"), column("item_id"))
    match = literal_column("search_fts").op("MATCH")(literal(query))
    items = ActionItem.id.in_(select(fts.c.item_id).where(match, fts.c.kind.in_(("item", "update", "comment"))))
    recs = select(fts.c.ref_id).where(match, fts.c.kind == "recommendation")
    minutes = select(fts.c.ref_id).where(match, fts.c.kind == "minutes")

    def where(ids):
        return select(fts.c.kind, fts.c.item_id).where(match, fts.c.kind.in_(("item", "update", "comment")), fts.c.item_id.in_(ids))
    return items, recs, minutes, where


def search(user: User | None, q: str) -> Results:
    """Ranked and paged in SQL: only the page of rows shown leaves the database (most recently changed first); a fixed
    number of statements per search, whatever matched."""
    items, rec_ids, minutes_ids, where = _matching(q)
    results = Results()
    results.items = db.session.scalars(
        select(ActionItem).where(items, visible_clause(user))
        .order_by(ActionItem.updated_at.desc(), ActionItem.id.desc()).limit(LIMIT)
        .options(joinedload(ActionItem.owner_organisation))
    ).all()
    ids = [i.id for i in results.items]
    for kind, item_id in db.session.execute(where(ids or [0])):
        results.reasons.setdefault(int(item_id), set()).add(kind)
    results.recommendations = db.session.scalars(
        select(Recommendation).where(Recommendation.id.in_(rec_ids)).order_by(Recommendation.id).limit(100)
        .options(joinedload(Recommendation.source))
    ).all()
    results.minutes = db.session.execute(
        select(AgendaItem, Meeting).join(Minutes, Minutes.agenda_item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Minutes.id.in_(minutes_ids), restricted_minutes_clause(user))
        .order_by(Meeting.starts_at.desc()).limit(LIMIT)
    ).all()
    return results

"""Full text: PostgreSQL tsvector (dutch stemming) or SQLite FTS5; visibility applied in the same query."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Integer, any_, case, cast, column, func, literal, literal_column, null, select, table, text, true, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload

from models import ActionItem, AgendaItem, Comment, Meeting, Minutes, ProgressUpdate, Recommendation, User

from .. import likes
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


def _words(q: str) -> list[str]:
    return re.findall(r"\w+", q, flags=re.UNICODE)


def _fts5_query(words: list[str]) -> str:
    """Each word as a quoted FTS5 string: user text can never be FTS5 syntax."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _visible(stmt, kind: str, user: User | None, item_id, ref_id):
    """The viewer's rule applied before the per-kind limit: the candidates are the newest matches the viewer may see,
    so what others wrote (however much) never pushes the viewer's own matches out."""
    if kind in ("item", "update", "comment"):
        if item_id is not ActionItem.id:  # the items table itself needs no join
            stmt = stmt.join(ActionItem, ActionItem.id == item_id)
        return stmt.where(visible_clause(user))
    if kind == "minutes":
        if ref_id is not Minutes.id:  # the full-text index's row, not the minutes table itself
            stmt = stmt.join(Minutes, Minutes.id == ref_id)
        return (stmt.join(AgendaItem, AgendaItem.id == Minutes.agenda_item_id).join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(restricted_minutes_clause(user)))
    return stmt  # recommendations are public reference data


_FTS = table("search_fts", column("rowid"), column("kind"), column("ref_id"), column("item_id"))
_TRI = table("search_tri", column("rowid"), column("kind"), column("ref_id"), column("item_id"))
# PostgreSQL's index of parts of words: the same rows (migration d6e7f8a9b0c1), one trigram index on body.
_PARTS = table("search_parts", column("id"), column("body"), column("kind"), column("ref_id"), column("item_id"))
PART_MIN = 3  # a trigram index finds parts of at least three letters


def _parts(q: str) -> list[str]:
    """The words to find inside other words: Dutch is written in compounds and plurals ("smokkel" in "mensensmokkel")."""
    return [w for w in _words(q) if len(w) >= PART_MIN][:8]




def _postgresql_matches(q: str, user: User | None) -> list:
    tsq = func.websearch_to_tsquery("dutch", q)
    sources = {"item": (ActionItem, ActionItem.id), "update": (ProgressUpdate, ProgressUpdate.action_item_id),
               "comment": (Comment, Comment.action_item_id), "recommendation": (Recommendation, None), "minutes": (Minutes, None)}
    parts, words = [], _parts(q)
    for kind, (model, item_id) in sources.items():
        stmt = select(literal(kind).label("kind"), model.id.label("ref_id"),
                      (item_id if item_id is not None else cast(null(), Integer)).label("item_id"), literal(True).label("exact"))
        stmt = stmt.select_from(model).where(literal_column(f"{model.__tablename__}.search_vector").op("@@")(tsq))
        stmt = _visible(stmt, kind, user, item_id, model.id)
        parts.append(select(stmt.order_by(model.id.desc()).limit(CANDIDATES[kind]).subquery()))
        if words:  # every word as part of a word, through the trigram index of search_parts (ILIKE '%part%')
            stmt = select(_PARTS.c.kind, _PARTS.c.ref_id, _PARTS.c.item_id, literal(False).label("exact")).select_from(_PARTS).where(
                _PARTS.c.kind == kind, *(_PARTS.c.body.ilike(likes.contains(w), escape=likes.ESCAPE) for w in words))
            stmt = _visible(stmt, kind, user, _PARTS.c.item_id, _PARTS.c.ref_id)
            parts.append(select(stmt.order_by(_PARTS.c.id.desc()).limit(CANDIDATES[kind]).subquery()))
    return db.session.execute(union_all(*parts)).all()


def _sqlite_matches(q: str, user: User | None) -> list:
    query, words = _fts5_query(_words(q)), _parts(q)
    if not query:
        return []
    # The row's kind is in its rowid (migrations a3b4c5d6e7f8, d6e7f8a9b0c1), so each kind's newest matches come from
    # the index: the word index (search_fts) and, for parts of words, the trigram index (search_tri). The trigram index
    # is read once (MATERIALIZED), for the rows the word index did not match already: a common word matches thousands
    # of rows in both, and reading the trigram index once per kind cost five times as much.
    sources: list = [(_FTS, text("search_fts MATCH :q"), True)]
    if words:
        parts_only = (select(_TRI.c.rowid, _TRI.c.kind, _TRI.c.ref_id, _TRI.c.item_id).select_from(_TRI)
                      .where(text("search_tri MATCH :p"), _TRI.c.rowid.not_in(select(_FTS.c.rowid).where(text("search_fts MATCH :q"))))
                      .cte("parts_only").prefix_with("MATERIALIZED"))
        sources.append((parts_only, true(), False))
    parts = []
    for index, match, exact in sources:
        for kind, number in FTS_KIND_NUMBERS.items():
            stmt = select(index.c.kind, index.c.ref_id, index.c.item_id, literal(exact).label("exact")).select_from(index).where(
                match, index.c.rowid % FTS_KINDS == number)
            stmt = _visible(stmt, kind, user, index.c.item_id, index.c.ref_id)
            parts.append(select(stmt.order_by(index.c.rowid.desc()).limit(CANDIDATES[kind]).subquery()))
    return db.session.execute(union_all(*parts), {"q": query, "p": _fts5_query(words)}).all()


def _candidates(q: str, user: User | None) -> tuple[dict[int, set[str]], list[int], list[int], set[int]]:
    """(item id -> where it matched, recommendation ids, minutes ids, the item ids matched as a whole word), among what
    the user may see."""
    reasons: dict[int, set[str]] = {}
    recs: list[int] = []
    minutes: list[int] = []
    exact_items: set[int] = set()
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    for kind, ref_id, item_id, exact in (_postgresql_matches if postgresql else _sqlite_matches)(q, user):
        if kind == "recommendation":
            recs.append(int(ref_id))
        elif kind == "minutes":
            minutes.append(int(ref_id))
        else:
            reasons.setdefault(int(item_id), set()).add(kind)
            if exact:
                exact_items.add(int(item_id))
    return reasons, list(dict.fromkeys(recs)), list(dict.fromkeys(minutes)), exact_items


def _among(column, ids: list[int]):
    """column IN ids; on PostgreSQL as one array parameter (= ANY), not hundreds of bound values."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


def search(user: User | None, q: str) -> Results:
    reasons, rec_ids, minutes_ids, exact = _candidates(q, user)
    results = Results()
    # Each query runs even when nothing matched: a fixed number of statements per search. Whole-word matches first.
    results.items = db.session.scalars(
        select(ActionItem).where(_among(ActionItem.id, list(reasons)), visible_clause(user))
        .order_by(case((_among(ActionItem.id, sorted(exact)), 0), else_=1), ActionItem.updated_at.desc()).limit(LIMIT)
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

"""Full text: PostgreSQL tsvector (dutch stemming) or SQLite FTS5, then parts of words (pg_trgm, FTS5 trigram) where
whole words do not fill a page; visibility applied in the same query."""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, case, cast, column, exists, func, literal, literal_column, null, select, table, text, union_all
from sqlalchemy.orm import joinedload, load_only

from models import ActionItem, AgendaItem, Comment, Meeting, Minutes, ProgressUpdate, Recommendation, User

from .. import likes
from ..extensions import db
from ..statements import among, built
from ..visibility import ViewerScope
from ..visibility import scope as visibility_scope
from .permissions import items_clause as visible_clause
from .permissions import minutes_clause as restricted_minutes_clause

LIMIT = 50
# The newest matches per kind that are candidates for a page of results, on both backends: a page's worth of each
# (the items of a page come from the newest of three kinds: the items, their updates and their comments).
CANDIDATES = {"item": LIMIT, "update": LIMIT, "comment": LIMIT, "recommendation": 100, "minutes": LIMIT}
ITEM_KINDS = ("item", "update", "comment")
# SQLite's search_fts and search_tri, PostgreSQL's search_parts: a row's key is its kind's number * KIND_SPAN + its id
# (migration b0c1d2e3f4a5 and its triggers), so each kind is one range of keys, read from its newest row down.
KIND_SPAN = 1 << 40
KIND_NUMBERS = {"item": 1, "update": 2, "comment": 3, "recommendation": 4, "minutes": 5}


def _of_kind(key, kind: str):
    return key.between(KIND_NUMBERS[kind] * KIND_SPAN, (KIND_NUMBERS[kind] + 1) * KIND_SPAN - 1)


@dataclass
class Results:
    items: Sequence[ActionItem] = field(default_factory=list)
    reasons: dict[int, set[str]] = field(default_factory=dict)
    recommendations: Sequence[Recommendation] = field(default_factory=list)
    minutes: Sequence = field(default_factory=list)  # (AgendaItem, Meeting) pairs the viewer may read
    more: bool = False  # more matches than a page shows: the page says so, and asks for a more specific word

    @property
    def total(self) -> int:
        return len(self.items) + len(self.recommendations) + len(self.minutes)


def _words(q: str) -> list[str]:
    return re.findall(r"\w+", q, flags=re.UNICODE)


def _fts5_query(words: list[str]) -> str:
    """Each word as a quoted FTS5 string: user text can never be FTS5 syntax."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _visible(stmt, kind: str, user: ViewerScope, item_id, ref_id, per_row: bool = True):
    """The viewer's rule applied before the per-kind limit: the candidates are the newest matches the viewer may see,
    so what others wrote (however much) never pushes the viewer's own matches out. As a semi-join on the row's item or
    meeting, so the database walks the newest matches and checks each against its item: a word in every row costs what a
    page holds, a rare word what the index finds (issue 28). per_row (visibility.clause): each check one index probe,
    so PostgreSQL walks a whole word's matches instead of sorting them all; its parts of words keep the shares read once,
    or it would walk the trigram table from the newest row for a part that is nowhere."""
    if kind in ITEM_KINDS:
        if item_id is ActionItem.id:  # the items table itself
            return stmt.where(visible_clause(user, per_row))
        return stmt.where(exists().where(ActionItem.id == item_id, visible_clause(user, per_row)))
    if kind == "minutes":
        if ref_id is Minutes.id:  # the minutes table itself, each match checked against its meeting
            return stmt.where(exists().where(AgendaItem.id == Minutes.agenda_item_id, Meeting.id == AgendaItem.meeting_id,
                                             restricted_minutes_clause(user, per_row)))
        readable = (select(Minutes.id).join(AgendaItem, AgendaItem.id == Minutes.agenda_item_id)
                    .join(Meeting, Meeting.id == AgendaItem.meeting_id).where(Minutes.id == ref_id, restricted_minutes_clause(user, per_row)))
        return stmt.where(readable.exists())
    return stmt  # recommendations are public reference data


_FTS = table("search_fts", column("rowid"), column("kind"), column("ref_id"), column("item_id"))
_TRI = table("search_tri", column("rowid"), column("kind"), column("ref_id"), column("item_id"))
# PostgreSQL's index of parts of words: the same rows (migration d6e7f8a9b0c1), one trigram index on body.
_PARTS = table("search_parts", column("id"), column("body"), column("kind"), column("ref_id"), column("item_id"))
PART_MIN = 3  # a trigram index finds parts of at least three letters


def _parts(q: str) -> list[str]:
    """The words to find inside other words: Dutch is written in compounds and plurals ("smokkel" in "mensensmokkel")."""
    return [w for w in _words(q) if len(w) >= PART_MIN][:8]


def _newest(stmt, kind: str, order) -> Select:
    return select(stmt.order_by(order.desc()).limit(CANDIDATES[kind]).subquery())


# PostgreSQL estimates a word its statistics do not know at a fraction of a percent of the rows; in the progress updates
# (ten per item) it may then walk every update from the newest down for a word that is nowhere (150 ms at 100,000
# items). Below this many matches the updates' newest are sorted from what the word index finds instead.
WALK_FROM = 500


# The answer only chooses a plan, never what is found, so each process keeps it a while per search text (as PostgreSQL
# keeps its statistics): a repeated search skips the count.
_FEW_SECONDS, _FEW_KEPT = 600, 2000
_few: dict[tuple[str, str], tuple[float, bool]] = {}


def _few_updates_match(q: str) -> bool:
    key, now = (str(db.session.get_bind().engine.url), q), time.monotonic()
    kept = _few.get(key)
    if kept is not None and now - kept[0] < _FEW_SECONDS:
        return kept[1]
    tsq = func.websearch_to_tsquery("dutch", q)
    capped = (select(literal(1)).select_from(ProgressUpdate)
              .where(literal_column("progress_updates.search_vector").op("@@")(tsq)).limit(WALK_FROM).subquery())
    few = (db.session.scalar(select(func.count()).select_from(capped)) or 0) < WALK_FROM
    if len(_few) >= _FEW_KEPT:
        _few.clear()
    _few[key] = (now, few)
    return few


def _postgresql_exact(user: ViewerScope, kinds: tuple[str, ...], sort_found: bool) -> list:
    tsq = func.websearch_to_tsquery("dutch", bindparam("q", type_=String))
    sources: dict[str, tuple[Any, Any]] = {"item": (ActionItem, ActionItem.id), "update": (ProgressUpdate, ProgressUpdate.action_item_id),
                                           "comment": (Comment, Comment.action_item_id), "recommendation": (Recommendation, None),
                                           "minutes": (Minutes, None)}
    parts = []
    for kind in kinds:
        model, item_id = sources[kind]
        stmt = select(literal(kind).label("kind"), model.id.label("ref_id"),
                      (item_id if item_id is not None else cast(null(), Integer)).label("item_id"), literal(True).label("exact"))
        stmt = stmt.select_from(model).where(literal_column(f"{model.__tablename__}.search_vector").op("@@")(tsq))
        sort = kind == "update" and sort_found
        order = model.id + 0 if sort else model.id  # + 0: not the primary key's order to walk
        parts.append(_newest(_visible(stmt, kind, user, item_id, model.id, per_row=not sort), kind, order))
    return parts


def _postgresql_parts(user: ViewerScope, kinds: tuple[str, ...], n_parts: int) -> list:
    """Every word as part of a word, through search_parts (its text in lower case): its trigram index (LIKE '%part%') for
    a rare part, the kind's range of keys walked from the newest row for a common one."""
    parts = []
    for kind in kinds:
        stmt = select(_PARTS.c.kind, _PARTS.c.ref_id, _PARTS.c.item_id, literal(False).label("exact")).select_from(_PARTS).where(
            _of_kind(_PARTS.c.id, kind), *(_PARTS.c.body.like(bindparam(f"part{i}", type_=String), escape=likes.ESCAPE) for i in range(n_parts)))
        parts.append(_newest(_visible(stmt, kind, user, _PARTS.c.item_id, _PARTS.c.ref_id, per_row=False), kind, _PARTS.c.id))
    return parts


def _sqlite_matches(index, match: str, exact: bool, user: ViewerScope, kinds: tuple[str, ...]) -> list:
    """The newest matches per kind from an FTS5 index, which gives its rows newest first (by rowid) without sorting."""
    parts = []
    for kind in kinds:
        stmt = select(index.c.kind, index.c.ref_id, index.c.item_id, literal(exact).label("exact")).select_from(index).where(
            text(match), _of_kind(index.c.rowid, kind))
        parts.append(_newest(_visible(stmt, kind, user, index.c.item_id, index.c.ref_id), kind, index.c.rowid))
    return parts


def _recommendation_parts(n_parts: int) -> Select:
    """Recommendations are a short public list: their parts of words are read from the table itself, where the shared
    index would walk every row of every other kind that has the part (a whole-word match comes first in the results)."""
    rec = Recommendation
    stmt = select(literal("recommendation").label("kind"), rec.id.label("ref_id"), cast(null(), Integer).label("item_id"),
                  literal(False).label("exact")).where(*(rec.text.ilike(bindparam(f"part{i}", type_=String), escape=likes.ESCAPE)
                                                         for i in range(n_parts)))
    return _newest(stmt, "recommendation", rec.id)


@built
def _matches_statement(dialect: str, user: ViewerScope, kinds: tuple[str, ...], exact: bool, sort_found: bool, n_parts: int):
    """The newest candidates of each kind, in one statement; the search text and its parts are its parameters (q,
    part0...), so it is built once per viewer scope and shape. Recommendations are few: their parts of words are read
    along with the whole words."""
    extra = [_recommendation_parts(n_parts)] if exact and n_parts else []
    if dialect == "postgresql":
        parts = _postgresql_exact(user, kinds, sort_found) if exact else _postgresql_parts(user, kinds, n_parts)
    elif exact:
        parts = _sqlite_matches(_FTS, "search_fts MATCH :q", True, user, kinds)
    else:
        parts = _sqlite_matches(_TRI, "search_tri MATCH :q", False, user, kinds)
    return union_all(*parts, *extra)


def _matches(q: str, user: User | None, kinds: list[str], exact: bool) -> Sequence:
    dialect = db.session.get_bind().dialect.name
    words = _parts(q)
    params = {f"part{i}": likes.contains(w.lower()) for i, w in enumerate(words)}
    if dialect == "postgresql":
        params["q"] = q
        sort_found = exact and "update" in kinds and _few_updates_match(q)
    else:
        params["q"] = _fts5_query(_words(q) if exact else words)
        sort_found = False
    n_parts = len(words) if (exact or dialect == "postgresql") else 0
    stmt = _matches_statement(dialect, visibility_scope(user), tuple(kinds), exact, sort_found, n_parts)
    return db.session.execute(stmt, params).all()


def _part_kinds(exact_rows: list) -> list[str]:
    """The kinds whose page the whole-word matches do not fill already. Whole-word matches rank first, so parts of words
    could never reach a full page: a word in every row is not looked for inside every other word as well."""
    items = {item_id for kind, _ref, item_id, _exact in exact_rows if kind in ITEM_KINDS}
    counts = Counter(kind for kind, *_ in exact_rows)
    kinds = [] if len(items) >= LIMIT else list(ITEM_KINDS)
    return kinds + (["minutes"] if counts["minutes"] < LIMIT else [])


def _candidates(q: str, user: User | None) -> tuple[dict[int, set[str]], list[int], list[int], set[int], bool]:
    """(item id -> where it matched, recommendation ids, minutes ids, the item ids matched as a whole word, whether a
    kind had more matches than its candidates), among what the user may see."""
    reasons: dict[int, set[str]] = {}
    recs: list[int] = []
    minutes: list[int] = []
    exact_items: set[int] = set()
    rows = list(_matches(q, user, list(KIND_NUMBERS), exact=True)) if _words(q) else []
    part_kinds = _part_kinds(rows) if _parts(q) else []
    if part_kinds:
        rows += _matches(q, user, part_kinds, exact=False)
    full = Counter(kind for kind, *_ in rows)
    more = any(full[kind] >= CANDIDATES[kind] for kind in full)
    for kind, ref_id, item_id, exact in rows:
        if kind == "recommendation":
            recs.append(int(ref_id))
        elif kind == "minutes":
            minutes.append(int(ref_id))
        else:
            reasons.setdefault(int(item_id), set()).add(kind)
            if exact:
                exact_items.add(int(item_id))
    return reasons, list(dict.fromkeys(recs)), list(dict.fromkeys(minutes)), exact_items, more


@built
def _read_statements(dialect: str, user: ViewerScope, load: Callable[[Select], Select] | None) -> tuple[Select, Select, Select]:
    """The found items, recommendations and minutes by their ids (parameters ids, exact, recs, minutes), each read under
    the rule again, a few ids each one probe (per_row); built once per viewer scope."""
    items = (select(ActionItem).where(among(dialect, ActionItem.id, "ids"), visible_clause(user, per_row=True))
             .order_by(case((among(dialect, ActionItem.id, "exact"), 0), else_=1), ActionItem.updated_at.desc()).limit(LIMIT))
    recs = (select(Recommendation).where(among(dialect, Recommendation.id, "recs")).order_by(Recommendation.id)
            .options(joinedload(Recommendation.source)))
    minutes = (select(AgendaItem, Meeting).options(load_only(AgendaItem.title, AgendaItem.meeting_id), load_only(Meeting.title, Meeting.starts_at))
               .join(Minutes, Minutes.agenda_item_id == AgendaItem.id)
               .join(Meeting, AgendaItem.meeting_id == Meeting.id)
               .where(among(dialect, Minutes.id, "minutes"), restricted_minutes_clause(user, per_row=True))
               .order_by(Meeting.starts_at.desc()).limit(LIMIT))
    return (load(items) if load else items.options(joinedload(ActionItem.owner_organisation))), recs, minutes


def search(user: User | None, q: str, load: Callable[[Select], Select] | None = None) -> Results:
    """What `user` may see that matches `q`. `load` adds loader options to the items' statement (the API's: the columns
    its item JSON reads, actions.queries.light), so a result costs no statement of its own."""
    reasons, rec_ids, minutes_ids, exact, more = _candidates(q, user)
    results = Results(more=more or len(reasons) > LIMIT or len(minutes_ids) > LIMIT)
    # The candidates were checked against the rule; the rows are read under it again. Whole-word matches first.
    # Recommendations and minutes are read by their ids, also when there are none (one statement each, so a search costs
    # the same number of statements whatever it finds: tests/test_query_budget.py); at most eight in all (the API adds
    # one for the items' links, whatever the number of items).
    items, recs, minutes = _read_statements(db.session.get_bind().dialect.name, visibility_scope(user), load)
    results.items = db.session.scalars(items, {"ids": list(reasons), "exact": sorted(exact)}).all()
    results.reasons = {i.id: reasons[i.id] for i in results.items}
    results.recommendations = db.session.scalars(recs, {"recs": rec_ids}).all()
    results.minutes = db.session.execute(minutes, {"minutes": minutes_ids}).all()
    return results

"""Reads of action items, always filtered by what the viewer may see; filters and sorting from an allow-list."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, Select, String, bindparam, cast, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    OPEN_STATUSES,
    STATUSES,
    ActionItem,
    FocusArea,
    Organisation,
    ProgressUpdate,
    Recommendation,
    Source,
    User,
    action_item_contributors,
    action_item_recommendations,
    action_item_shares,
    late_clause,
)

from .. import likes
from ..cache import cache
from ..extensions import db
from ..i18n import today as amsterdam_today
from ..inputs import bounded_int
from ..statements import among, built
from ..visibility import ViewerScope
from ..visibility import scope as visibility_scope
from . import tallies
from .permissions import visible_clause

SORTS = {
    # NULLS LAST is PostgreSQL's default for ascending order, so ix_action_items_due_date_id serves it.
    "due_date": (ActionItem.due_date.asc().nulls_last(), ActionItem.id),
    "-due_date": (ActionItem.due_date.desc().nulls_last(), ActionItem.id.desc()),
    "updated_at": (ActionItem.updated_at, ActionItem.id),
    "-updated_at": (ActionItem.updated_at.desc(), ActionItem.id.desc()),
    "title": (ActionItem.title, ActionItem.id),
    "-title": (ActionItem.title.desc(), ActionItem.id.desc()),
    "progress": (ActionItem.progress, ActionItem.id),
    "-progress": (ActionItem.progress.desc(), ActionItem.id.desc()),
    "status": (ActionItem.status, ActionItem.id),
}


UNFINISHED = "unfinished"  # a status filter for every status not done or cancelled (what "open" counts on the dashboard)


@dataclass(frozen=True)
class Filters:
    """The list's filters as they appear in the URL (same names as the API). Hashable (the errors aside), so that the
    statement of a page is built once per filter set (portal.statements)."""

    status: str = ""
    organisation: str = ""
    focus_area: str = ""
    recommendation: int | None = None
    overdue: bool = False
    assignee: str = ""
    q: str = ""
    sort: str = "due_date"
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_args(cls, args) -> Filters:
        errors: dict[str, str] = {}
        status = args.get("status", "")
        if status and status not in (*STATUSES, UNFINISHED):
            errors["status"] = _("Onbekende status.")
            status = ""
        rec = args.get("recommendation", "")
        recommendation = bounded_int(rec)
        if rec and recommendation is None:
            errors["recommendation"] = _("Het nummer van de aanbeveling is ongeldig.")
        sort = args.get("sort", "due_date")
        return cls(status=status, organisation=args.get("organisation", "")[:16], focus_area=args.get("focus_area", "")[:16],
                   recommendation=recommendation, overdue=args.get("overdue", "") in ("true", "1", "on"),
                   assignee=args.get("assignee", "")[:16], q=args.get("q", "").strip()[:200],
                   sort=sort if sort in SORTS else "due_date", errors=errors)

    def as_args(self, **override) -> dict:
        values = {"status": self.status, "organisation": self.organisation, "focus_area": self.focus_area,
                  "recommendation": self.recommendation or "", "overdue": "true" if self.overdue else "",
                  "assignee": self.assignee, "q": self.q, "sort": self.sort if self.sort != "due_date" else ""}
        values.update(override)
        return {k: v for k, v in values.items() if v not in ("", None)}


def light(stmt: Select) -> Select:
    """What lists show: many-to-one columns joined in the same query."""
    return stmt.options(joinedload(ActionItem.owner_organisation), joinedload(ActionItem.focus_area),
                        joinedload(ActionItem.assignee))


@dataclass(frozen=True)
class Links:
    """What an item is linked to, as its JSON lists it: recommendation ids, organisation codes, each sorted."""

    recommendation_ids: list[int]
    contributing_organisations: list[str]
    shared_with: list[str]


def links(session: Session, ids: list[int]) -> dict[int, Links]:
    """The links of these items (by id), in one statement whatever their number: no objects loaded per link. An id
    without a row (an item deleted since it was read) has no links."""
    def split(text: str | None) -> list[str]:
        return sorted(text.split(",")) if text else []

    found = {item_id: Links(sorted(int(r) for r in split(recs)), split(contributing), split(shared))
             for item_id, recs, contributing, shared in session.execute(_links_statement(session.get_bind().dialect.name), {"ids": ids})}
    return {item_id: found.get(item_id, Links([], [], [])) for item_id in ids}


@built
def _links_statement(dialect: str) -> Select:
    """Per item (parameter ids) its recommendation ids and its contributing and shared organisations' codes, each list
    joined into one text in the database (ids are digits and codes [A-Z0-9], so a comma separates them)."""
    def joined(value, table, *where) -> ScalarSelect:
        return select(func.aggregate_strings(value, ",")).select_from(table).where(table.c.action_item_id == ActionItem.id, *where).scalar_subquery()

    recs = joined(cast(action_item_recommendations.c.recommendation_id, String), action_item_recommendations)
    contributing = joined(Organisation.code, action_item_contributors, Organisation.id == action_item_contributors.c.organisation_id)
    shared = joined(Organisation.code, action_item_shares, Organisation.id == action_item_shares.c.organisation_id)
    return select(ActionItem.id, recs, contributing, shared).where(among(dialect, ActionItem.id, "ids"))


def filtered(viewer: User | ViewerScope | None, f: Filters, today: date | None = None) -> Select:
    """Visible items matching the filters; the caller orders/paginates (or counts)."""
    today = today or amsterdam_today()
    stmt = select(ActionItem).where(visible_clause(viewer))
    if f.status == UNFINISHED:
        stmt = stmt.where(ActionItem.status.in_(OPEN_STATUSES))
    elif f.status:
        stmt = stmt.where(ActionItem.status == f.status)
    if f.organisation:
        stmt = stmt.join(Organisation, ActionItem.owner_organisation_id == Organisation.id).where(Organisation.code == f.organisation)
    if f.focus_area:
        stmt = stmt.where(ActionItem.focus_area_id.in_(select(FocusArea.id).where(FocusArea.code == f.focus_area)))
    if f.recommendation:
        stmt = stmt.where(ActionItem.id.in_(select(action_item_recommendations.c.action_item_id).where(
            action_item_recommendations.c.recommendation_id == f.recommendation)))
    if f.overdue:
        stmt = stmt.where(late_clause(ActionItem.status, ActionItem.due_date, today))
    if f.assignee == "none":
        stmt = stmt.where(ActionItem.assignee_id.is_(None))
    elif (assignee := bounded_int(f.assignee)) is not None:
        stmt = stmt.where(ActionItem.assignee_id == assignee)
    if f.q:
        pattern = likes.contains(f.q)
        stmt = stmt.where(or_(ActionItem.title.ilike(pattern, escape=likes.ESCAPE), ActionItem.description.ilike(pattern, escape=likes.ESCAPE)))
    return stmt


def page_of(user: User | None, f: Filters, page: int, per_page: int) -> tuple[list[ActionItem], int]:
    """One page and the total."""
    day, seen = amsterdam_today(), visibility_scope(user)
    count = _count(user, seen, f, day)
    items = db.session.scalars(_page_statement(seen, f, day), {"page_limit": per_page, "page_offset": (page - 1) * per_page})
    return list(items.unique().all()), count


@built
def _page_statement(viewer: ViewerScope, f: Filters, day: date) -> Select:
    """A page of the list, built once per scope, filter set and day; where the page starts is a parameter."""
    return light(filtered(viewer, f, day).order_by(*SORTS[f.sort])).limit(bindparam("page_limit")).offset(bindparam("page_offset"))


@built
def _count_statement(viewer: ViewerScope, f: Filters, day: date) -> Select:
    return filtered(viewer, f, day).with_only_columns(func.count(ActionItem.id)).order_by(None)


def _count(user: User | None, seen: ViewerScope, f: Filters, day: date) -> int:
    """The total under the filters: from the tallies when they hold what the filters ask (status, organisation, focus
    area, late), else a count of the matching items; cached per visibility scope, day and filter set (portal.cache)."""
    def counted() -> int:
        return db.session.scalar(_count_statement(seen, f, day)) or 0

    if user is None:
        return counted()
    only = _tallied(f)

    def compute() -> int:
        return counted() if only is None else tallies.total(db.session, user, only, late_on=day if f.overdue else None)

    filters = hashlib.sha256(json.dumps(f.as_args(sort=""), sort_keys=True).encode()).hexdigest()[:32]
    return cache().get_or_compute("count", (day.isoformat(), filters), compute, scope=seen)


def _tallied(f: Filters) -> tallies.Only | None:
    """The filters as tallies read them, or None when a filter asks what they do not hold (_beyond_tallies)."""
    if _beyond_tallies(f):
        return None
    statuses = OPEN_STATUSES if f.status == UNFINISHED else (f.status,) if f.status else None
    return tallies.Only(owner=f.organisation or None, area=f.focus_area or None, statuses=statuses)


def _beyond_tallies(f: Filters) -> bool:
    """Text, assignee and recommendation filters, and late items of one status (the due tallies count every unfinished
    status together), are counted over the items."""
    return bool(f.q or f.assignee or f.recommendation or (f.overdue and f.status not in ("", UNFINISHED)))


def all_filtered(user: User | None, f: Filters, limit: int = 10000) -> list[ActionItem]:
    """What an export of the list holds: its columns and the items' recommendations (one statement per 500 items)."""
    return list(db.session.scalars(light(filtered(user, f).order_by(*SORTS[f.sort])).options(selectinload(ActionItem.recommendations)).limit(limit)))


def history(item: ActionItem) -> Select:
    return (select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id)
            .order_by(ProgressUpdate.recorded_at.desc(), ProgressUpdate.id.desc())
            .options(joinedload(ProgressUpdate.author).joinedload(User.organisation)))


def recommendation_choices() -> Select:
    """(id, year, number, text, kind, source title) for the recommendation picker, in one query."""
    return (select(Recommendation.id, Source.year, Recommendation.number, Recommendation.text, Recommendation.kind, Source.title)
            .join(Recommendation.source).order_by(Source.year.desc(), Source.key, Recommendation.number))


def recommendation_groups(rows) -> list[tuple[str, list]]:
    """The picker's groups: per source (title and year), its recommendations in order, with their full text."""
    groups: list[tuple[str, list]] = []
    for row in rows:
        label = f"{row.title} ({row.year})" if row.year else row.title
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(row)
    return groups

"""What the start page shows: my organisation's work, what is late or due soon, recent updates and the counts, each
only over what the viewer may see. The listed rows' ids are cached per visibility scope and day and the rows loaded by id,
on a hit as on a miss; the counts come from the tallies (portal/actions/tallies.py), which cost what the answer holds."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from models import OPEN_STATUSES, ActionItem, ProgressUpdate, User, late_clause

from ..actions import tallies
from ..actions.permissions import visible_clause
from ..actions.queries import SORTS, light
from ..cache import cache
from ..extensions import db
from ..i18n import today as amsterdam_today
from ..statements import among, built
from ..visibility import ViewerScope
from ..visibility import scope as visibility_scope


def dashboard(user: User, today: date | None = None) -> dict:
    """Everything the start page shows, each number only over what the user may see.

    What may be seen depends only on the visibility scope, so the ids of the listed rows are cached per scope and day
    (portal.cache): a miss reads them in one statement, and hit or miss the rows are then loaded by id in two; the
    counts are read from the tallies.
    """
    today = today or amsterdam_today()  # the day in Europe/Amsterdam, as everywhere
    seen = visibility_scope(user)
    listed = cache().get_or_compute("dashboard", (today.isoformat(),), lambda: _listed(seen, today), scope=seen)
    return {**_hydrate(user, listed), **_counts(user, today), "today": today}


LISTS = ("mine", "overdue", "soon", "recent")


def _listed(viewer: ViewerScope, today: date) -> dict[str, list[int]]:
    """The ids of the four lists, each in its order: my organisation's open items, the late ones and those due within two
    weeks (10 each, by due date), and the 8 newest updates."""
    listed: dict[str, list[int]] = {name: [] for name in LISTS}
    for name, row_id in db.session.execute(_lists_statement(viewer, today)):
        listed[name].append(row_id)
    return listed


@built
def _lists_statement(viewer: ViewerScope, today: date) -> Select:
    """The four lists' ids in one statement, (list, id) in each list's order, built once per scope and day (all it reads).
    Each list walks its index and stops at its limit; its rank keeps its order through the union."""
    visible = visible_clause(viewer)
    open_ = ActionItem.status.in_(OPEN_STATUSES)

    def first(name: str, key, order: tuple, limit: int, *where) -> Select:
        return (select(literal(name).label("list"), key.label("id"), func.row_number().over(order_by=order).label("rank"))
                .where(*where).order_by(*order).limit(limit))

    due = SORTS["due_date"]
    # The newest updates from ix_progress_updates_recorded_at_id, each item checked by its key as the walk reaches it
    # (a join made SQLite first build a filter over every item: 11 against 1.5 ms at 100,000 items).
    of_item = ActionItem.id == ProgressUpdate.action_item_id
    lists = [first("mine", ActionItem.id, due, 10, visible, open_, ActionItem.owner_organisation_id == viewer.organisation_id),
             first("overdue", ActionItem.id, due, 10, visible, late_clause(ActionItem.status, ActionItem.due_date, today)),
             first("soon", ActionItem.id, due, 10, visible, open_, ActionItem.due_date >= today,
                   ActionItem.due_date <= today + timedelta(days=14)),
             first("recent", ProgressUpdate.id, (ProgressUpdate.recorded_at.desc(), ProgressUpdate.id.desc()), 8,
                   select(ActionItem.id).where(of_item, visible).exists())]
    both = union_all(*(select(part.subquery()) for part in lists)).subquery()
    return select(both.c.list, both.c.id).order_by(both.c.list, both.c.rank)


def _counts(user: User, today: date) -> dict:
    """The counts per focus area, per organisation and in total (and the closures awaiting confirmation), from the
    tallies: one statement that reads what the viewer may see per owner, focus area and status, not every item."""
    area_counts: dict = {}
    org_counts: dict = {}
    total = overdue_count = awaiting_count = 0
    for _owner, org_code, org_name, area_id, area_code, area_title, area_pos, status, n, _w, _p in tallies.counts(db.session, user, today):
        if status == tallies.LATE:
            overdue_count += n
            continue
        total += n
        awaiting_count += n if status == "awaiting_confirmation" else 0
        if area_id is not None:
            c = area_counts.setdefault(area_id, [area_pos, area_code, area_title, 0, 0])
            c[3] += n
            c[4] += n if status == "done" else 0
        c = org_counts.setdefault(org_code, [org_name, 0, 0])
        c[1] += n
        c[2] += n if status in OPEN_STATUSES else 0
    per_area = [[code, title, n, done] for _pos, code, title, n, done in sorted(area_counts.values(), key=lambda c: c[0])]
    per_org = [[code, name, n, open_n] for code, (name, n, open_n) in sorted(org_counts.items())]
    return {"per_area": per_area, "per_org": per_org, "total": total, "overdue_count": overdue_count, "awaiting_count": awaiting_count}


def _hydrate(user: User, summary: dict) -> dict:
    """The listed rows, by primary key, still under the visibility rule (a row hidden since its id was cached is left out)."""
    items_by_id, updates_by_id = _hydrate_statements(db.session.get_bind().dialect.name, visibility_scope(user))
    ids = [*summary["mine"], *summary["overdue"], *summary["soon"]]
    items = {i.id: i for i in db.session.scalars(items_by_id, {"ids": ids})} if ids else {}
    recent = {u.id: (u, title) for u, title in db.session.execute(updates_by_id, {"ids": summary["recent"]})} if summary["recent"] else {}
    return {**{k: [items[i] for i in summary[k] if i in items] for k in ("mine", "overdue", "soon")},
            "recent": [recent[i] for i in summary["recent"] if i in recent]}


@built
def _hydrate_statements(dialect: str, viewer: ViewerScope) -> tuple[Select, Select]:
    """The listed items and updates by their ids (parameter ids), built once per scope."""
    visible = visible_clause(viewer)
    items = light(select(ActionItem).where(among(dialect, ActionItem.id, "ids"), visible))
    updates = (select(ProgressUpdate, ActionItem.title).join(ActionItem, ProgressUpdate.action_item_id == ActionItem.id)
               .where(among(dialect, ProgressUpdate.id, "ids"), visible).options(joinedload(ProgressUpdate.author)))
    return items, updates

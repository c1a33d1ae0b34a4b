"""The state of the framework as of a reference date (peildatum), computed from the history.

Pure reads: each item's status, progress and due date are those of its latest
progress update at or before the end of the peildatum (Europe/Amsterdam); each
indicator's figure the latest measurement whose period ended by then. The
result is plain JSON, frozen in a Report and never recomputed.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, not_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    STATUSES,
    ActionItem,
    CapacityLine,
    Framework,
    Indicator,
    IndicatorDefinition,
    Measurement,
    ParliamentCommitment,
    ProgressUpdate,
    Recommendation,
    RecommendationResponse,
    User,
    is_late,
    parliament_items,
    visibility_changes,
)

from ..actions.permissions import visible_clause
from ..framework import goals
from ..framework import queries as framework_queries
from ..framework.parliament import open_on
from ..framework.state import recommendation_state
from ..i18n import cutoff
from ..periods import period_kind
from ..visibility import allows

# 2: frameworks with targets, responses, Parliament, capacity, indicator visibility, definitions and notes.
SCHEMA = 2


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def latest_updates(session: Session, item_ids: list[int], end: datetime) -> dict[int, ProgressUpdate]:
    ranked = (
        select(ProgressUpdate.id, func.row_number().over(
            partition_by=ProgressUpdate.action_item_id,
            order_by=(ProgressUpdate.recorded_at.desc(), ProgressUpdate.id.desc())).label("rank"))
        .where(ProgressUpdate.action_item_id.in_(item_ids), ProgressUpdate.recorded_at < end)
        .subquery()
    )
    rows = session.scalars(select(ProgressUpdate).join(ranked, ranked.c.id == ProgressUpdate.id).where(ranked.c.rank == 1))
    return {u.action_item_id: u for u in rows}


def state_on(item: ActionItem, update: ProgressUpdate | None) -> tuple[str, int, date | None]:
    """An item's status, progress and due date as its latest update by a date left them (none yet: as created)."""
    if update is None:
        return "open", 0, item.due_date
    return update.status, update.progress, update.due_date


def compute(session: Session, author: User, as_of: date, title: str, with_indicators: bool = True,
            framework: Framework | None = None) -> dict:
    """A fixed number of queries, whatever the number of items. The report covers one framework (default: the one in
    force on the peildatum): the items of its focus areas, and the items without a focus area when it is in force then."""
    end = cutoff(as_of)
    framework = framework or framework_queries.in_force(session, as_of)
    areas = framework.focus_areas if framework else []
    commitment_ids = [c.id for a in areas for c in a.commitments]
    standings = goals.standings(session, commitment_ids, as_of, lambda _indicator: True)
    return {
        "schema": SCHEMA,
        "title": title,
        "as_of": as_of.isoformat(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "author": {"id": author.id, "name": author.name, "organisation": author.organisation.code},
        "framework": _framework(framework) if framework else None,
        "focus_areas": [{"code": a.code, "title": a.title, "note": a.note or "",
                         "commitments": [{"id": c.id, "position": c.position, "text": c.text, "weight": float(c.weight), "note": c.note or "",
                                          "targets": [_standing(st) for st in standings.get(c.id, [])]} for c in a.commitments]}
                        for a in areas],
        "items": _items(session, author, as_of, framework),
        "recommendations": _recommendations(session, end),
        "indicators": _indicators(session, as_of) if with_indicators else [],
        "parliament": _parliament(session, as_of),
        "capacity": _capacity(session),
    }


def _framework(framework: Framework) -> dict:
    source = framework.source
    return {"id": framework.id, "key": framework.key, "title": framework.title, "period_start": framework.period_start.isoformat(),
            "period_end": framework.period_end.isoformat(),
            "source_date": source.issued_on.isoformat() if source and source.issued_on else None,
            "source_reference": source.reference if source else None}


def _items(session: Session, author: User, as_of: date, framework: Framework | None) -> list[dict]:
    """The author's visible items of the framework as their latest update by the peildatum left them."""
    end = cutoff(as_of)
    area_ids = [a.id for a in framework.focus_areas] if framework else []
    # The items without a focus area belong to the framework in force on the peildatum.
    with_unassigned = framework is None or framework_queries.in_force(session, as_of) is framework
    in_framework = or_(ActionItem.focus_area_id.in_(area_ids), ActionItem.focus_area_id.is_(None)) if with_unassigned \
        else ActionItem.focus_area_id.in_(area_ids)
    items = session.scalars(
        select(ActionItem).where(visible_clause(author), ActionItem.created_at < end, in_framework).order_by(ActionItem.id)
        .options(joinedload(ActionItem.owner_organisation), joinedload(ActionItem.focus_area), joinedload(ActionItem.commitment),
                 selectinload(ActionItem.shared_with), selectinload(ActionItem.recommendations))
    ).all()
    latest = latest_updates(session, [i.id for i in items], end)
    return [_item_row(item, latest.get(item.id), as_of) for item in items]


def _item_row(item: ActionItem, update: ProgressUpdate | None, as_of: date) -> dict:
    status, progress, due = state_on(item, update)
    kind = update.kind if update else None
    closure = "requested" if kind == "closure_requested" else "confirmed" if status == "done" and kind == "closure_confirmed" else None
    return {
        "id": item.id, "title": item.title, "owner": item.owner_organisation.code,
        "shared_with": sorted(o.code for o in item.shared_with), "visibility": item.visibility,
        "focus_area": item.focus_area.code if item.focus_area else None,
        "commitment_weight": float(item.commitment.weight) if item.commitment else 1.0,
        "recommendation_ids": sorted(r.id for r in item.recommendations),
        "status": status, "closure": closure, "progress": progress,
        "due_date": due.isoformat() if due else None,
        "overdue": is_late(due, status, as_of),
        "last_update_at": update.recorded_at.isoformat() if update else None,
        "last_note": update.note if update else "",
    }


def _recommendations(session: Session, end: datetime) -> list[dict]:
    """Every recommendation with the latest response recorded by the end of the peildatum."""
    recs = session.scalars(select(Recommendation).order_by(Recommendation.id)
                           .options(joinedload(Recommendation.source), selectinload(Recommendation.addressees),
                                    joinedload(Recommendation.focus_areas))).unique().all()
    responses = {}
    for r in session.scalars(select(RecommendationResponse).where(RecommendationResponse.recorded_at < end)
                             .order_by(RecommendationResponse.recorded_at, RecommendationResponse.id)
                             .options(joinedload(RecommendationResponse.document))):
        responses[r.recommendation_id] = r  # the latest recorded by the peildatum
    return [_recommendation_row(r, responses.get(r.id)) for r in recs]


def _recommendation_row(r: Recommendation, response: RecommendationResponse | None) -> dict:
    source = r.source
    return {"id": r.id, "source": source.key, "source_title": source.title, "source_year": source.year,
            "source_date": source.issued_on.isoformat() if source.issued_on else None, "number": r.number, "text": r.text,
            "response": response.stance if response else "onbekend", "kind": r.kind,
            "response_text": response.text if response else "", "response_document": _document(response) if response else "",
            "addressees": [{"code": o.code, "name": o.name} for o in r.addressees], "focus_areas": [a.code for a in r.focus_areas]}


def _indicators(session: Session, as_of: date) -> list[dict]:
    """Every indicator with its definitions and the measurements recorded by the peildatum, each under the definition
    version in force for its period."""
    end = cutoff(as_of)
    indicators = session.scalars(select(Indicator).order_by(Indicator.key)
                                 .options(joinedload(Indicator.owner_organisation), joinedload(Indicator.source))).all()
    definitions: defaultdict[int, list[dict]] = defaultdict(list)
    for d in session.scalars(select(IndicatorDefinition).order_by(IndicatorDefinition.indicator_id, IndicatorDefinition.version)):
        definitions[d.indicator_id].append({"version": d.version, "valid_from": d.valid_from.isoformat(), "definition": d.definition,
                                            "note": d.note})
    measurements: defaultdict[int, list[dict]] = defaultdict(list)
    for m in session.scalars(select(Measurement).where(Measurement.period_end <= as_of, Measurement.recorded_at < end)
                             .order_by(Measurement.indicator_id, Measurement.period_end).options(joinedload(Measurement.source))):
        versions = [d for d in definitions[m.indicator_id] if d["valid_from"] <= m.period_start.isoformat()]
        measurements[m.indicator_id].append({"period": m.period, "period_end": m.period_end.isoformat(), "value": _number(m.value),
                                             "note": m.note or "", "source": m.source_text or (m.source.title if m.source else ""),
                                             "definition_version": versions[-1]["version"] if versions else None})
    return [{"key": i.key, "title": i.title, "unit": i.unit, "owner": i.owner_organisation.code, "direction": i.direction,
             "visibility": i.visibility, "producer": i.producer or "", "source": i.source.title if i.source else "",
             "definition": i.definition or "", "definitions": definitions.get(i.id, []),
             "target_value": _number(i.target_value), "target_year": i.target_year, "series": measurements.get(i.id, [])}
            for i in indicators]


def _standing(st: goals.Standing) -> dict:
    t = st.target
    return {"period": t.period, "value": _number(t.value), "unit": t.unit, "direction": t.direction,
            "indicator": t.indicator.key if t.indicator else None,
            "indicator_visibility": t.indicator.visibility if t.indicator else None,
            "indicator_owner": t.indicator.owner_organisation.code if t.indicator else None,
            "organisation": t.organisation.code if t.organisation else None, "valid_from": t.valid_from.isoformat(), "note": t.note,
            "figure": _number(st.figure), "figure_period": st.figure_period, "assessment": st.assessment}


def _document(response: RecommendationResponse) -> str:
    title = response.document.title if response.document else response.document_title
    return ", ".join(part for part in (title, response.kamerstuk) if part)


def _parliament(session: Session, as_of: date) -> list[dict]:
    """Toezeggingen and moties open on the peildatum (public records); linked item ids are filtered per reader."""
    rows = session.scalars(select(ParliamentCommitment).where(open_on(as_of)).order_by(ParliamentCommitment.due_end.is_(None),
                                                                                     ParliamentCommitment.due_end, ParliamentCommitment.id)
                           .options(joinedload(ParliamentCommitment.owner_organisation))).all()
    links = defaultdict(list)
    for pid, item_id in session.execute(select(parliament_items.c.parliament_commitment_id, parliament_items.c.action_item_id)
                                        .where(parliament_items.c.parliament_commitment_id.in_([p.id for p in rows]))):
        links[pid].append(item_id)
    return [{"id": p.id, "kind": p.kind, "kamerstuk": p.kamerstuk, "text": p.text,
             "made_on": p.made_on.isoformat() if p.made_on else None, "due_label": p.due_label,
             "due_end": p.due_end.isoformat() if p.due_end else None,
             "overdue": bool(p.due_end and p.due_end < as_of),
             "owner": p.owner_organisation.code if p.owner_organisation else None, "action_item_ids": sorted(links[p.id])} for p in rows]


def _capacity(session: Session) -> list[dict]:
    return [{"organisation": c.organisation.code if c.organisation else c.applies_to, "description": c.description,
               "quantity": _number(c.quantity), "unit": c.unit, "period": c.period, "source": c.source.title}
              for c in session.scalars(select(CapacityLine).order_by(CapacityLine.id)
                                       .options(joinedload(CapacityLine.organisation), joinedload(CapacityLine.source)))]


# -- what a viewer sees of a frozen snapshot ---------------------------------------

def sees_frozen(viewer: User | None, row: dict, hidden_now: Collection[int]) -> bool:
    """Rule 7 for one frozen row (id, owner, visibility, shared_with as frozen): its frozen visibility allows the viewer
    and the viewer may still see its item (`hidden_now`: ids of the items changed since the freeze that the viewer may
    not see today, see hidden_ids)."""
    return row["id"] not in hidden_now and allows(viewer, row["visibility"], row["owner"], row["shared_with"], by="code")


def visible_items(snapshot: dict, viewer: User | None, hidden_now: Collection[int]) -> list[dict]:
    """Rule 7: the frozen rows the viewer sees (sees_frozen)."""
    return [_current_vocabulary(i) for i in snapshot["items"] if sees_frozen(viewer, i, hidden_now)]


def public_items(snapshot: dict, public_now: Collection[int]) -> list[dict]:
    """The rows of a publication: public when frozen and public today, the same for every downloader."""
    return [_current_vocabulary(i) for i in snapshot["items"] if i["visibility"] == "public" and i["id"] in public_now]


def all_items(snapshot: dict) -> list[dict]:
    """Every frozen row, for the archive's copy only (records management): never shown to a reader."""
    return [_current_vocabulary(i) for i in snapshot["items"]]


# A change is logged with the database's clock, a report frozen with the portal's, and a change made in a transaction that
# was still open while a report was frozen may be logged before it: every change since a day before the freeze is read
# (no transaction lasts a day), which costs a few rows more and never misses one.
CHANGE_MARGIN = timedelta(days=1)


def hidden_ids(session: Session, viewer: User | None, frozen_at: datetime) -> frozenset[int]:
    """Ids of the items the viewer may not see today among those whose visibility, owner or shares changed since
    `frozen_at` (models.visibility_changes). Any other item is seen today as it was frozen, which its frozen row's
    own check decides (visible_items), so this reads what changed, not every item."""
    changed = select(visibility_changes.c.action_item_id).where(visibility_changes.c.changed_at > frozen_at - CHANGE_MARGIN)
    return frozenset(session.scalars(select(ActionItem.id).where(ActionItem.id.in_(changed), not_(visible_clause(viewer)))))


def public_ids(session: Session, upto_id: int) -> frozenset[int]:
    return frozenset(session.scalars(select(ActionItem.id).where(ActionItem.id <= upto_id, ActionItem.visibility == "public")))


def max_item_id(snapshot: dict) -> int:
    return max((i["id"] for i in snapshot["items"]), default=0)


def _current_vocabulary(row: dict) -> dict:
    """Rows frozen before awaiting_confirmation existed said "done" for a requested closure: the same fact,
    read under rule 1 (done means confirmed)."""
    if row["status"] == "done" and row.get("closure") == "requested":
        return {**row, "status": "awaiting_confirmation"}
    return row


# The reader of the archive's copy (records management): every frozen indicator, restricted ones included.
ARCHIVE: Any = object()  # a sentinel, passed where a reader (a User) goes


def indicator_readable(indicator_visibility: str | None, owner: str | None, reader) -> bool:
    """A frozen indicator (or a target's figure) is shown to a reader its frozen visibility allows; reader None is the
    publication: public indicators only. Reports frozen before indicators could be restricted hold only public ones."""
    visibility = indicator_visibility or "public"
    if reader is ARCHIVE:
        return True
    if reader is None:
        return visibility == "public"
    return allows(reader, visibility, owner, (), by="code")


def status_counts(rows: list[dict]) -> dict[str, int]:
    """How many rows have each status, every status named (a report's summary, and where-we-stand on a date)."""
    c = Counter(r["status"] for r in rows)
    return {s: c.get(s, 0) for s in STATUSES}


def _grouped(rows: list[dict], key: str) -> defaultdict[str | None, list[dict]]:
    groups: defaultdict[str | None, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def summarise(snapshot: dict, items: list[dict], reader: User | None = None) -> dict:
    """Aggregates over the given rows: per focus area, per organisation, recommendations, indicators, targets, Parliament.
    `reader` decides which restricted indicators show (None: the publication)."""
    by_area = _grouped(items, "focus_area")
    shown = {r["id"] for r in items}
    return {
        "total": len(items), "counts": status_counts(items), "overdue": sum(r["overdue"] for r in items),
        "focus_areas": [_area_summary(area, by_area.get(area["code"], []), reader) for area in snapshot["focus_areas"]],
        "without_focus_area": by_area.get(None, []),
        "organisations": [{"code": code, "total": len(rows), "counts": status_counts(rows), "overdue": sum(r["overdue"] for r in rows)}
                          for code, rows in sorted(_grouped(items, "owner").items())],
        "recommendations": _recommendation_states(snapshot, items),
        "indicators": [_indicator_summary(ind) for ind in snapshot["indicators"] if indicator_readable(ind.get("visibility"), ind["owner"], reader)],
        "parliament": [{**p, "action_item_ids": [i for i in p["action_item_ids"] if i in shown]} for p in snapshot.get("parliament", [])],
        "capacity": snapshot.get("capacity", []),
    }


def _area_summary(area: dict, rows: list[dict], reader: User | None) -> dict:
    """A focus area's counts, overdue, weighted share done and average progress over its rows, and its commitments'
    targets as the reader may read them."""
    area = {**area, "commitments": [{**c, "targets": [_readable_target(t, reader) for t in c.get("targets", [])]}
                                    for c in area["commitments"]]}
    counted = [r for r in rows if r["status"] != "cancelled"]
    weight = sum(r["commitment_weight"] for r in counted)
    done_weight = sum(r["commitment_weight"] for r in rows if r["status"] == "done")
    progress = sum(r["commitment_weight"] * r["progress"] for r in counted)
    return {**area, "total": len(rows), "counts": status_counts(rows), "overdue": sum(r["overdue"] for r in rows),
            "share_done": round(100 * done_weight / weight) if weight else None,
            "average_progress": round(progress / weight) if weight else None,
            "by_organisation": {org: status_counts(r) for org, r in sorted(_grouped(rows, "owner").items())},
            "items": rows}


def _recommendation_states(snapshot: dict, items: list[dict]) -> list[dict]:
    linked: defaultdict[int, list[dict]] = defaultdict(list)
    for r in items:
        for rec_id in r["recommendation_ids"]:
            linked[rec_id].append(r)
    return [{**rec, "item_ids": [r["id"] for r in linked.get(rec["id"], [])],
             "state": recommendation_state(Counter(r["status"] for r in linked.get(rec["id"], [])))} for rec in snapshot["recommendations"]]


def _indicator_summary(ind: dict) -> dict:
    """The latest figure and the previous one of the same kind of period (year, quarter, month): "Vorige waarde"
    compares like with like."""
    known = [p for p in ind["series"] if p["value"] is not None]
    latest = known[-1] if known else None
    alike = [p for p in known[:-1] if latest and period_kind(p["period"]) == period_kind(latest["period"])]
    return {**ind, "latest": latest, "previous": alike[-1] if alike else None}


def _readable_target(target: dict, reader: User | None) -> dict:
    if target["indicator"] is None or indicator_readable(target["indicator_visibility"], target["indicator_owner"], reader):
        return target
    return {**target, "indicator": None, "figure": None, "figure_period": None, "assessment": "geen_cijfer"}


def diff(older: dict, newer: dict, viewer: User | None, hidden_now: Collection[int]) -> dict:
    """What changed between two frozen reports, per focus area, over rows the viewer may see in both (and today)."""
    old = {i["id"]: i for i in visible_items(older, viewer, hidden_now)}
    new = {i["id"]: i for i in visible_items(newer, viewer, hidden_now)}
    areas: defaultdict[str | None, dict[str, list]] = defaultdict(lambda: {"added": [], "closed": [], "status_changed": [], "slipped": []})
    for item_id, row in new.items():
        _compare(areas[row["focus_area"]], row, old.get(item_id))
    older_ind = {i["key"]: i for i in summarise(older, [], viewer)["indicators"]}
    moved = []
    for ind in summarise(newer, [], viewer)["indicators"]:
        prev = older_ind.get(ind["key"], {}).get("latest")
        if ind["latest"] != prev:
            moved.append({"key": ind["key"], "title": ind["title"], "unit": ind["unit"], "before": prev, "after": ind["latest"]})
    order = [a["code"] for a in newer["focus_areas"]] + [None]
    return {"focus_areas": [{"code": code, **areas[code]} for code in order if code in areas], "indicators": moved}


def _compare(area: dict[str, list], row: dict, before: dict | None) -> None:
    """Where a row goes in a focus area's changes: added, closed or otherwise changed status, and slipped deadline."""
    if before is None:
        area["added"].append(row)
        return
    if row["status"] in ("done", "cancelled") and before["status"] not in ("done", "cancelled"):
        area["closed"].append({**row, "before": before["status"]})
    elif row["status"] != before["status"]:
        area["status_changed"].append({**row, "before": before["status"]})
    if row["due_date"] and before["due_date"] and row["due_date"] > before["due_date"]:
        area["slipped"].append({**row, "before_due": before["due_date"]})

"""Where we stand on a recommendation as of a date (contract: GET /recommendations/<id>/state). The actions linked to it
that the caller may see, each with its status, progress and due date on that date from its recorded history (so a
peildatum needs no frozen report); the targets of their commitments with the figure of the same period known on that
date (a figure recorded later does not count, and no figure of another period stands in); and what changed since the
last letter to Parliament."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import ActionItem, Commitment, Measurement, Recommendation, Source, Target, User, action_item_recommendations, is_late

from ..actions.permissions import visible_clause
from ..framework import goals
from ..i18n import cutoff
from ..reports.snapshot import latest_updates, state_on, status_counts
from ..visibility import can_view_indicator

TRACKED = ("status", "progress", "due_date")


def _states(session: Session, items: list[ActionItem], on: date) -> dict[int, dict]:
    """Each item's status, progress and due date at the end of the day `on` (items that did not exist yet are left out)."""
    end = cutoff(on)
    existing = [i for i in items if i.created_at < end]
    latest = latest_updates(session, [i.id for i in existing], end)
    out = {}
    for item in existing:
        status, progress, due = state_on(item, latest.get(item.id))
        out[item.id] = {"status": status, "progress": progress, "due_date": due.isoformat() if due else None}
    return out


def _targets(session: Session, viewer: User, commitment_ids: list[int], as_of: date) -> list[dict]:
    # Two queries whatever the data (the decisions, then every figure that may count), so the cost never depends on N.
    # Each target names its commitment ("3.1.2"), loaded along, so a page showing it asks nothing more.
    decisions = list(session.scalars(select(Target).where(Target.commitment_id.in_(commitment_ids), Target.valid_from <= as_of)
                                     .options(joinedload(Target.indicator), joinedload(Target.commitment).joinedload(Commitment.focus_area))))
    targets = [(cid, t) for cid, rows in sorted(goals.in_force(session, commitment_ids, as_of, decisions).items()) for t in rows]
    shown = {t.indicator_id for _cid, t in targets if t.indicator is not None and can_view_indicator(viewer, t.indicator)}
    # Of an indicator the viewer may see: its period ended and recorded by then.
    figures: dict[tuple[int | None, str], Decimal | None] = {(m.indicator_id, m.period): m.value for m in session.scalars(select(Measurement).where(
        Measurement.indicator_id.in_(shown), Measurement.period_end <= as_of, Measurement.recorded_at < cutoff(as_of)))}
    out = []
    for commitment_id, target in targets:
        value = figures.get((target.indicator_id, target.period))  # only a figure of the target's own period
        if value is None or target.value is None:  # as goals.standing: no figure of its own period, or no value to meet
            assessment = "geen_cijfer"
        else:
            assessment = "gehaald" if goals.meets(target.direction, value, target.value) else "niet_gehaald"
        out.append({"commitment_id": commitment_id, "commitment_code": f"{target.commitment.focus_area.code}.{target.commitment.position}",
                    "period": target.period,
                    "value": float(target.value) if target.value is not None else None, "direction": target.direction,
                    "figure": float(value) if value is not None else None,
                    "figure_period": target.period if value is not None else None, "assessment": assessment})
    return out


def last_letter(session: Session, as_of: date) -> Source | None:
    """The latest letter to Parliament (a source of kind kamerbrief) sent on or before the date."""
    return session.scalars(select(Source).where(Source.kind == "kamerbrief", Source.issued_on.is_not(None), Source.issued_on <= as_of)
                           .order_by(Source.issued_on.desc(), Source.id.desc())).first()


def recommendation_state(session: Session, viewer: User, recommendation: Recommendation, as_of: date, with_rows: bool = False) -> dict:
    """The contract's answer; with_rows adds `rows`: each counted item with its state on the date (the page lists them)."""
    items = list(session.scalars(select(ActionItem).join(action_item_recommendations)
                                 .where(action_item_recommendations.c.recommendation_id == recommendation.id, visible_clause(viewer))
                                 .order_by(ActionItem.id).options(joinedload(ActionItem.owner_organisation))))
    return {"as_of": as_of.isoformat(), "recommendation_id": recommendation.id, **_answer(session, viewer, items, None, as_of, with_rows)}


def commitment_state(session: Session, viewer: User, commitment: Commitment, as_of: date) -> dict:
    """The same answer for a commitment of a framework: its actions and its own targets."""
    items = list(session.scalars(select(ActionItem).where(ActionItem.commitment_id == commitment.id, visible_clause(viewer))
                                 .order_by(ActionItem.id).options(joinedload(ActionItem.owner_organisation))))
    return {"as_of": as_of.isoformat(), "commitment_id": commitment.id, **_answer(session, viewer, items, [commitment.id], as_of, False)}


def _answer(session: Session, viewer: User, items: list[ActionItem], commitment_ids: list[int] | None, as_of: date, with_rows: bool) -> dict:
    """Counts, late, progress, targets, the last letter and what changed since, over these (visible) items."""
    now = _states(session, items, as_of)
    letter = last_letter(session, as_of)
    if commitment_ids is None:
        commitment_ids = sorted({i.commitment_id for i in items if i.id in now and i.commitment_id is not None})
    return {"items": sorted(now), **_figures(list(now.values()), as_of), "targets": _targets(session, viewer, commitment_ids, as_of),
            "last_letter": {"source_id": letter.id, "sent_on": letter.issued_on.isoformat(), "reference": letter.reference}
            if letter is not None and letter.issued_on is not None else None,
            "changes_since_last_letter": _changes(now, _states(session, items, letter.issued_on))
            if letter is not None and letter.issued_on is not None else [],
            **({"rows": [(item, now[item.id]) for item in items if item.id in now]} if with_rows else {})}


def _figures(states: list[dict], as_of: date) -> dict:
    """Counts per status, how many are late, and the average progress of those not cancelled."""
    active = [s["progress"] for s in states if s["status"] != "cancelled"]
    late = sum(1 for s in states if is_late(date.fromisoformat(s["due_date"]) if s["due_date"] else None, s["status"], as_of))
    return {"counts": status_counts(states), "late": late,
            "progress": round(sum(active) / len(active)) if active else None}


def _changes(now: dict[int, dict], before: dict[int, dict]) -> list[dict]:
    """What changed per item between two dates: created since, or each tracked field that differs."""
    changes = []
    for item_id, state in now.items():
        if item_id not in before:
            changes.append({"item_id": item_id, "field": "created", "before": None, "after": state["status"]})
            continue
        changes += [{"item_id": item_id, "field": field, "before": before[item_id][field], "after": state[field]}
                    for field in TRACKED if before[item_id][field] != state[field]]
    return changes

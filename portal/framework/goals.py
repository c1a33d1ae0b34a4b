"""Targets in force as of a date, figure against target in words, and the coordinators' changes (each a new row, with why)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import TARGET_DIRECTIONS, Commitment, Indicator, Measurement, Target, User, indicator_commitments

from .. import audit, limits, validation
from ..errors import NotAllowed, ValidationFailed
from ..i18n import cutoff
from ..periods import parse_period
from ..validation import text as clean_text
from ..visibility import can_view_indicator
from .permissions import can_weigh

# "Op koers / achter / gehaald" in words; the page never relies on colour.
ASSESSMENTS = {"gehaald": _l("gehaald"), "niet_gehaald": _l("niet gehaald"), "op_koers": _l("op koers"), "achter": _l("achter"),
               "geen_cijfer": _l("nog geen cijfer")}
DIRECTION_TEXT = {"at_least": _l("ten minste"), "at_most": _l("hoogstens")}


@dataclass(frozen=True)
class Standing:
    target: Target
    figure: Decimal | None
    figure_period: str | None
    assessment: str
    # The measuring indicator when the viewer may see it; pages show this one, never target.indicator.
    indicator: Indicator | None = None


def in_force(session: Session, commitment_ids: list[int], as_of: date, rows: list[Target] | None = None) -> dict[int, list[Target]]:
    """Per commitment: for each (indicator, period) the latest decision in force on the date; withdrawn ones left out.
    `rows`: every decision already loaded (the commitment page has them), else one query."""
    if not commitment_ids:
        return {}
    if rows is None:
        rows = list(session.scalars(select(Target).where(Target.commitment_id.in_(commitment_ids), Target.valid_from <= as_of)
                                    .options(joinedload(Target.indicator), joinedload(Target.organisation), joinedload(Target.source))))
    latest: dict[tuple, Target] = {}
    for row in sorted((r for r in rows if r.valid_from <= as_of), key=lambda t: (t.valid_from, t.recorded_at, t.id)):
        latest[(row.commitment_id, row.indicator_id, row.period)] = row
    out: dict[int, list[Target]] = defaultdict(list)
    for row in sorted(latest.values(), key=lambda t: (t.period_start, t.id)):
        if row.value is not None:
            out[row.commitment_id].append(row)
    return out


def meets(direction: str, figure: Decimal, target: Decimal) -> bool:
    return figure >= target if direction == "at_least" else figure <= target


def standing(target: Target, figures: dict[str, tuple[date, Decimal | None]], as_of: date) -> Standing:
    """figures: the indicator's measurements known on the date, period label -> (period end, value). A target is compared
    with the figure of its own period only: no figure of another year or a quarter stands in ("nog geen cijfer over 2026")."""
    own = figures.get(target.period)
    if own is None or own[1] is None or target.value is None:
        return Standing(target, None, None, "geen_cijfer")
    met = meets(target.direction, own[1], target.value)
    return Standing(target, own[1], target.period, "gehaald" if met else "niet_gehaald")


def standings(session: Session, commitment_ids: list[int], as_of: date, visible_indicator,
              rows: list[Target] | None = None) -> dict[int, list[Standing]]:
    """Targets in force with their figure and assessment; a figure of an indicator the viewer may not see counts as none."""
    targets = in_force(session, commitment_ids, as_of, rows)
    indicator_ids = {t.indicator_id for rows in targets.values() for t in rows if t.indicator_id and visible_indicator(t.indicator)}
    figures: dict[int, dict[str, tuple[date, Decimal | None]]] = defaultdict(dict)
    known = select(Measurement).where(Measurement.indicator_id.in_(indicator_ids), Measurement.period_end <= as_of,
                                      Measurement.recorded_at < cutoff(as_of))  # recorded after the peildatum: not known then
    for m in session.scalars(known) if indicator_ids else []:
        figures[m.indicator_id][m.period] = (m.period_end, m.value)
    out: dict[int, list[Standing]] = {}
    for cid, rows in targets.items():
        out[cid] = []
        for t in rows:
            shown = t.indicator_id is not None and t.indicator_id in indicator_ids
            st = standing(t, figures[t.indicator_id] if shown and t.indicator_id is not None else {}, as_of)
            out[cid].append(Standing(t, st.figure, st.figure_period, st.assessment, t.indicator if shown else None))
    return out


def history(session: Session, commitment_id: int) -> list[Target]:
    return list(session.scalars(select(Target).where(Target.commitment_id == commitment_id)
                                .order_by(Target.recorded_at.desc(), Target.id.desc())
                                .options(joinedload(Target.set_by), joinedload(Target.indicator), joinedload(Target.organisation),
                                         joinedload(Target.source))))


def _id(record) -> int | None:
    return record.id if record is not None else None


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _period(fields: dict[str, str], raw, today: date) -> tuple[str, date, date]:
    try:
        return parse_period(raw or "")
    except ValueError as exc:
        fields["period"] = str(exc)
        return "", today, today


def _target_value(fields: dict[str, str], given) -> Decimal | None:
    raw = str(given if given is not None else "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
        if not value.is_finite() or abs(value) >= Decimal("1e14"):
            raise InvalidOperation
    except InvalidOperation:
        fields["value"] = str(_l("Vul een getal in, bijvoorbeeld 25 of 12,5."))
        return None
    return value


def _visible_indicator(session: Session, actor: User, fields: dict[str, str], key) -> Indicator | None:
    """The indicator a target measures by; one the actor may not see does not exist for it."""
    if not key:
        return None
    indicator = session.scalars(select(Indicator).where(Indicator.key == str(key))).first()
    if indicator is None or not can_view_indicator(actor, indicator):
        fields["indicator"] = str(_l("Deze indicator bestaat niet."))
        return None
    return indicator


def _latest(session: Session, commitment: Commitment, period: str, indicator: Indicator | None) -> Target | None:
    """The decision in force for this commitment, period and indicator before this one."""
    return session.scalars(select(Target).where(Target.commitment_id == commitment.id, Target.period == period,
                                                Target.indicator_id == (indicator.id if indicator else None))
                           .order_by(Target.valid_from.desc(), Target.id.desc())).first()


def _measured_by(session: Session, commitment: Commitment, indicator: Indicator) -> None:
    """A target that names an indicator links the commitment to it (once)."""
    if session.execute(select(indicator_commitments).where(indicator_commitments.c.indicator_id == indicator.id,
                                                           indicator_commitments.c.commitment_id == commitment.id)).first() is None:
        session.execute(indicator_commitments.insert().values(indicator_id=indicator.id, commitment_id=commitment.id))


def set_target(session: Session, actor: User, commitment: Commitment, data: dict, today: date) -> Target:
    """A coordinator sets, changes or withdraws (empty value) the target of a period. Always a new row; a change needs a reason."""
    if not can_weigh(actor):
        raise NotAllowed("only coordinators set targets")
    fields: dict[str, str] = {}
    label, start, end = _period(fields, data.get("period"), today)
    value = _target_value(fields, data.get("value"))
    direction = data.get("direction") or "at_least"
    if direction not in TARGET_DIRECTIONS:
        fields["direction"] = str(_l("Kies 'ten minste' of 'hoogstens'."))
    unit = clean_text(fields, "unit", data.get("unit"), _("De eenheid"), limits.UNIT)
    indicator = _visible_indicator(session, actor, fields, data.get("indicator"))
    organisation = validation.organisation(session, fields, "organisation", data.get("organisation"))
    valid_from = validation.day(fields, "valid_from", data.get("valid_from")) or today
    reason = clean_text(fields, "reason", data.get("reason"), _("De reden"), limits.REASON, required=False)
    note = clean_text(fields, "note", data.get("note"), _("De toelichting"), limits.REASON, required=False)
    source = validation.source(session, fields, "source", data.get("source"))
    previous = _latest(session, commitment, label, indicator) if label else None
    if previous is not None and not reason:
        fields["reason"] = str(_l("Geef aan waarom het doel verandert."))
    if previous is None and value is None and "value" not in fields:
        fields["value"] = str(_l("Vul de waarde van het doel in."))
    if fields:
        raise ValidationFailed(fields)
    target = Target(commitment_id=commitment.id, indicator_id=_id(indicator), organisation_id=_id(organisation), period=label,
                    period_start=start, period_end=end, value=value, unit=unit, direction=direction, valid_from=valid_from, reason=reason,
                    note=note, source_id=_id(source), set_by_id=actor.id, recorded_at=datetime.now(UTC))
    session.add(target)
    if indicator is not None:
        _measured_by(session, commitment, indicator)
    session.flush()
    audit.record("framework.target_set", session=session, actor=actor, entity_type="commitment", entity_id=commitment.id, period=label,
                 value=_text(value), before=_text(previous.value if previous else None), reason=reason)
    return target

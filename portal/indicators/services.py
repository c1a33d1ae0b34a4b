"""Measurements: periods, Dutch number input, single entry and an all-or-nothing CSV import."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Indicator, Measurement, User

from .. import audit
from ..errors import NotAllowed, ValidationFailed
from ..periods import parse_period
from .permissions import can_enter

MAX_ROWS = 500


def parse_value(text: str) -> Decimal | None:
    """Dutch notation: '1.234,5' or '1234,5'; empty or 'n.b.' means not available (a gap, not zero)."""
    text = (text or "").strip().replace(" ", "")
    if text.lower() in ("", "n.b.", "nb", "-"):
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{text}' is geen getal. Gebruik bijvoorbeeld 1234 of 1234,5.") from None
    if not value.is_finite() or abs(value) >= Decimal("1e14"):
        raise ValueError("Dit getal is te groot.")
    return value


def _existing_periods(session: Session, indicator: Indicator) -> set[str]:
    return set(session.scalars(select(Measurement.period).where(Measurement.indicator_id == indicator.id)))


def add_measurement(session: Session, actor: User, indicator: Indicator, period: str, value: str,
                    source_text: str = "", note: str = "") -> Measurement:
    if not can_enter(actor, indicator):
        raise NotAllowed("cannot enter measurements")
    fields = {}
    try:
        label, start, end = parse_period(period)
    except ValueError as exc:
        fields["period"] = str(exc)
    else:
        if label in _existing_periods(session, indicator):
            fields["period"] = f"Voor {label} is al een cijfer vastgelegd."
    try:
        number = parse_value(value)
    except ValueError as exc:
        fields["value"] = str(exc)
    if len(source_text or "") > 500:
        fields["source_text"] = "De bron mag hoogstens 500 tekens lang zijn."
    if len(note or "") > 2000:
        fields["note"] = "De toelichting mag hoogstens 2.000 tekens lang zijn."
    if fields:
        raise ValidationFailed(fields)
    measurement = Measurement(indicator_id=indicator.id, period=label, period_start=start, period_end=end, value=number,
                              source_text=(source_text or "").strip() or None, note=(note or "").strip() or None,
                              entered_by_id=actor.id, recorded_at=datetime.now(UTC))
    session.add(measurement)
    session.flush()
    audit.record("indicator.measurement_added", session=session, actor=actor, entity_type="indicator", entity_id=indicator.id,
                 period=label, value=str(number) if number is not None else None)
    return measurement


@dataclass
class ImportRow:
    line: int
    period: str
    value: str
    source: str
    note: str
    problems: list[str] = field(default_factory=list)


def parse_csv(session: Session, indicator: Indicator, text: str) -> list[ImportRow]:
    """Every row with its problems; nothing is stored here."""
    rows: list[ImportRow] = []
    existing = _existing_periods(session, indicator)
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    for line, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        if line == 1 and cells and cells[0].strip().lower() in ("period", "periode"):
            continue
        cells = (cells + ["", "", "", ""])[:max(4, len(cells))]
        row = ImportRow(line, cells[0].strip(), cells[1].strip(), cells[2].strip(), cells[3].strip())
        if len(cells) > 4:
            row.problems.append("Te veel kolommen; verwacht: periode;waarde;bron;toelichting.")
        try:
            label, _, _ = parse_period(row.period)
            row.period = label
            if label in seen:
                row.problems.append(f"Periode {label} staat ook op regel {seen[label]}.")
            elif label in existing:
                row.problems.append(f"Voor {label} is al een cijfer vastgelegd.")
            seen.setdefault(label, line)
        except ValueError as exc:
            row.problems.append(str(exc))
        try:
            parse_value(row.value)
        except ValueError as exc:
            row.problems.append(str(exc))
        rows.append(row)
        if len(rows) > MAX_ROWS:
            row.problems.append(f"Hoogstens {MAX_ROWS} regels per import.")
            break
    return rows


def import_csv(session: Session, actor: User, indicator: Indicator, text: str) -> int:
    """All or nothing: any problem in any row stores no row at all."""
    if not can_enter(actor, indicator):
        raise NotAllowed("cannot enter measurements")
    rows = parse_csv(session, indicator, text)
    problems = {f"regel {r.line}": "; ".join(r.problems) for r in rows if r.problems}
    if not rows:
        problems["file"] = "Het bestand bevat geen regels."
    if problems:
        raise ValidationFailed(problems)
    with session.begin_nested():
        for r in rows:
            add_measurement(session, actor, indicator, r.period, r.value, r.source, r.note)
    return len(rows)

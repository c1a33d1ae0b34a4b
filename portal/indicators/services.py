"""Measurements: periods, Dutch number input, single entry and an all-or-nothing CSV import."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import (
    ExpectedFigure,
    Indicator,
    IndicatorDefinition,
    Measurement,
    MeasurementCorrection,
    MeasurementPart,
    User,
)

from .. import audit, limits, mail
from ..errors import NotAllowed, ValidationFailed
from ..i18n import long_date, today
from ..periods import parse_period
from ..validation import text as clean_text
from ..writes import check_version, save
from .catalogue import save_indicator, schedule
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
        raise ValueError(_("'%(text)s' is geen getal. Gebruik bijvoorbeeld 1234 of 1234,5.", text=text)) from None
    if not value.is_finite() or abs(value) >= Decimal("1e14"):
        raise ValueError(_("Dit getal is te groot."))
    return value


def _existing_periods(session: Session, indicator: Indicator) -> set[str]:
    return set(session.scalars(select(Measurement.period).where(Measurement.indicator_id == indicator.id)))


def _breakdown(fields: dict, total: Decimal | None, raw, note: str | None) -> list[tuple[str, Decimal | None]]:
    """[(category, value)] from [{category, value}]: each category once; the parts add up to the figure, or a note says why not."""
    if not raw:
        return []
    if not isinstance(raw, list) or not all(isinstance(p, dict) and set(p) <= {"category", "value"} for p in raw) or len(raw) > limits.BREAKDOWN_PARTS:
        fields["breakdown"] = _("Geef de verdeling als een lijst van {category, value}.")
        return []
    parts = _parts(fields, raw)
    if parts is None:
        return []
    if len({c.casefold() for c, _v in parts}) != len(parts):
        fields["breakdown"] = _("Noem elke categorie één keer.")
    elif not note and not _adds_up(total, parts):
        fields["breakdown_note"] = _("De delen tellen niet op tot het cijfer: leg uit waarom (bijvoorbeeld: een persoon valt in meer categorieën).")
    return parts


def _parts(fields: dict, raw: list[dict]) -> list[tuple[str, Decimal | None]] | None:
    """Each part's category and value, or None with the first part's problem in fields["breakdown"]."""
    parts: list[tuple[str, Decimal | None]] = []
    for part in raw:
        category = str(part.get("category") or "").strip()
        if not category or len(category) > limits.CATEGORY:
            fields["breakdown"] = _("Elke categorie heeft een naam van hoogstens %(max)d tekens.", max=limits.CATEGORY)
            return None
        try:
            value = parse_value(figure_text(part.get("value")))
        except ValueError as exc:
            fields["breakdown"] = f"{category}: {exc}"
            return None
        parts.append((category, value))
    return parts


def _adds_up(total: Decimal | None, parts: list[tuple[str, Decimal | None]]) -> bool:
    values = [v for _c, v in parts]
    return total is not None and None not in values and sum(v for v in values if v is not None) == total


def figure_text(value) -> str:
    """A JSON figure as the services read typed figures: null is "not available", a decimal point becomes a comma."""
    return "" if value is None else (str(value).replace(".", ",") if isinstance(value, float) else str(value))


def add_measurement(session: Session, actor: User, indicator: Indicator, period: str, value: str,
                    source_text: str = "", note: str = "", breakdown=None, breakdown_note: str = "") -> Measurement:
    """A figure for one period; `breakdown` [{category, value}] splits it, adding up to it or with `breakdown_note` saying why not."""
    if not can_enter(actor, indicator):
        raise NotAllowed("cannot enter measurements")
    fields: dict[str, str] = {}
    label, start, end = _new_period(session, indicator, fields, period)
    number = None
    try:
        number = parse_value(value)
    except ValueError as exc:
        fields["value"] = str(exc)
    clean_text(fields, "breakdown_note", breakdown_note, _("De toelichting"), limits.REASON, required=False)
    parts = _breakdown(fields, number, breakdown, (breakdown_note or "").strip())
    clean_text(fields, "source_text", source_text, _("De bron"), limits.SOURCE_TEXT, required=False)
    clean_text(fields, "note", note, _("De toelichting"), limits.REASON, required=False)
    if fields:
        raise ValidationFailed(fields)
    measurement = Measurement(indicator_id=indicator.id, period=label, period_start=start, period_end=end, value=number,
                              source_text=_optional(source_text), note=_optional(note),
                              breakdown_note=_optional(breakdown_note) if parts else None,
                              entered_by_id=actor.id, recorded_at=datetime.now(UTC))
    measurement.parts = [MeasurementPart(position=i, category=c, value=v) for i, (c, v) in enumerate(parts)]
    session.add(measurement)
    session.flush()
    audit.record("indicator.measurement_added", session=session, actor=actor, entity_type="indicator", entity_id=indicator.id,
                 period=label, value=str(number) if number is not None else None)
    return measurement


def _new_period(session: Session, indicator: Indicator, fields: dict[str, str], period: str) -> tuple:
    """(label, start, end) of a period without a figure yet; (None, None, None) with a message in fields["period"]."""
    try:
        label, start, end = parse_period(period)
    except ValueError as exc:
        fields["period"] = str(exc)
        return None, None, None
    if label in _existing_periods(session, indicator):
        fields["period"] = _("Voor %(period)s is al een cijfer vastgelegd.", period=label)
    return label, start, end


def _optional(text: str | None) -> str | None:
    return (text or "").strip() or None


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
            row.problems.append(_("Te veel kolommen; verwacht: periode;waarde;bron;toelichting."))
        try:
            label, _start, _end = parse_period(row.period)
            row.period = label
            if label in seen:
                row.problems.append(_("Periode %(period)s staat ook op regel %(line)d.", period=label, line=seen[label]))
            elif label in existing:
                row.problems.append(_("Voor %(period)s is al een cijfer vastgelegd.", period=label))
            seen.setdefault(label, line)
        except ValueError as exc:
            row.problems.append(str(exc))
        try:
            parse_value(row.value)
        except ValueError as exc:
            row.problems.append(str(exc))
        rows.append(row)
        if len(rows) > MAX_ROWS:
            row.problems.append(_("Hoogstens %(max)d regels per import.", max=MAX_ROWS))
            break
    return rows


def import_csv(session: Session, actor: User, indicator: Indicator, text: str) -> int:
    """All or nothing: any problem in any row stores no row at all."""
    if not can_enter(actor, indicator):
        raise NotAllowed("cannot enter measurements")
    rows = parse_csv(session, indicator, text)
    problems = {f"regel {r.line}": "; ".join(r.problems) for r in rows if r.problems}
    if not rows:
        problems["file"] = _("Het bestand bevat geen regels.")
    if problems:
        raise ValidationFailed(problems)
    with session.begin_nested():
        for r in rows:
            add_measurement(session, actor, indicator, r.period, r.value, r.source, r.note)
    return len(rows)


# -- figures that stay consistent: corrections, definitions, restriction, expected figures ---------------------------

def correct_measurement(session: Session, actor: User, indicator: Indicator, measurement: Measurement, value: str, reason: str,
                        base_version: int | None) -> MeasurementCorrection:
    """A figure corrected with a reason: the old value is kept in the correction row; frozen reports keep what they froze."""
    if not can_enter(actor, indicator):
        raise NotAllowed("cannot correct measurements")
    check_version(session, measurement, base_version)
    fields: dict[str, str] = {}
    try:
        number = parse_value(value)
    except ValueError as exc:
        fields["value"] = str(exc)
        number = None
    reason = (reason or "").strip()
    if not reason:
        fields["reason"] = _("Geef aan waarom het cijfer wordt gecorrigeerd.")
    else:
        clean_text(fields, "reason", reason, _("De reden"), limits.REASON)
    if "value" not in fields and number == measurement.value:
        fields["value"] = _("Dit is hetzelfde cijfer als nu; er is niets te corrigeren.")
    if fields:
        raise ValidationFailed(fields)
    correction = MeasurementCorrection(measurement_id=measurement.id, old_value=measurement.value, new_value=number, reason=reason,
                                       corrected_by_id=actor.id, corrected_at=datetime.now(UTC))
    session.add(correction)
    measurement.value = number
    save(session, measurement)
    audit.record("indicator.measurement_corrected", session=session, actor=actor, entity_type="indicator", entity_id=indicator.id,
                 period=measurement.period, before=str(correction.old_value) if correction.old_value is not None else None,
                 after=str(number) if number is not None else None, reason=reason)
    return correction


def corrections(session: Session, indicator: Indicator) -> dict[int, list[MeasurementCorrection]]:
    out: dict[int, list[MeasurementCorrection]] = {}
    for c in session.scalars(select(MeasurementCorrection).join(Measurement).where(Measurement.indicator_id == indicator.id)
                             .order_by(MeasurementCorrection.corrected_at, MeasurementCorrection.id).options(joinedload(MeasurementCorrection.corrected_by))):
        out.setdefault(c.measurement_id, []).append(c)
    return out


def definitions(session: Session, indicator: Indicator) -> list[IndicatorDefinition]:
    return list(session.scalars(select(IndicatorDefinition).where(IndicatorDefinition.indicator_id == indicator.id)
                                .order_by(IndicatorDefinition.version)))


def version_of(versions: list[IndicatorDefinition], measurement: Measurement) -> int | None:
    """The definition a figure belongs to: the last version in force at the start of its period."""
    current = [d.version for d in versions if d.valid_from <= measurement.period_start]
    return current[-1] if current else None


def breaks(versions: list[IndicatorDefinition], measurements: list[Measurement]) -> frozenset[str]:
    """Periods that start a new definition (after figures of an earlier one): where the series breaks."""
    out, previous, first = set(), None, True
    for m in sorted(measurements, key=lambda m: m.period_start):
        version = version_of(versions, m)
        if not first and version != previous:
            out.add(m.period)
        previous, first = version, False
    return frozenset(out)


def add_definition(session: Session, actor: User, indicator: Indicator, definition: str, valid_from: str, note: str) -> IndicatorDefinition:
    """A changed definition is a new version from a period on; figures from then on belong to it (a break in the series)."""
    if not can_enter(actor, indicator):
        raise NotAllowed("cannot change the definition")
    fields: dict[str, str] = {}
    definition = (definition or "").strip()
    if not definition:
        fields["definition"] = _("Beschrijf de nieuwe definitie.")
    else:
        clean_text(fields, "definition", definition, _("De definitie"), limits.TEXT)
    versions = definitions(session, indicator)
    start = _definition_start(fields, valid_from, versions)
    clean_text(fields, "note", note, _("De toelichting"), limits.REASON, required=False)
    if fields or start is None:
        raise ValidationFailed(fields)
    last_version = versions[-1].version if versions else _first_version(session, actor, indicator, start)
    row = IndicatorDefinition(indicator_id=indicator.id, version=last_version + 1, definition=definition,
                              valid_from=start, note=(note or "").strip(), recorded_by_id=actor.id, recorded_at=datetime.now(UTC))
    session.add(row)
    indicator.definition = definition
    session.flush()
    audit.record("indicator.definition_changed", session=session, actor=actor, entity_type="indicator", entity_id=indicator.id,
                 version=row.version, valid_from=start.isoformat())
    return row


def _definition_start(fields: dict[str, str], valid_from: str, versions: list[IndicatorDefinition]) -> date | None:
    """The first day of the period a new definition applies from: after the last version's."""
    try:
        _label, start, _end = parse_period(valid_from)
    except ValueError as exc:
        fields["valid_from"] = str(exc)
        return None
    if versions and start <= versions[-1].valid_from:
        fields["valid_from"] = _("Een nieuwe definitie begint na de vorige (%(date)s).", date=versions[-1].valid_from.isoformat())
    return start


def _first_version(session: Session, actor: User, indicator: Indicator, start: date) -> int:
    """Before the first change, the definition until now becomes version 1, from the first figure on (0: nothing to keep)."""
    if not indicator.definition:
        return 0
    first = min((m.period_start for m in indicator.measurements), default=start)
    if first >= start:
        return 0
    session.add(IndicatorDefinition(indicator_id=indicator.id, version=1, definition=indicator.definition, valid_from=first,
                                    note="", recorded_by_id=actor.id, recorded_at=datetime.now(UTC)))
    return 1


def set_visibility(session: Session, actor: User, indicator: Indicator, visibility: str) -> None:
    """The page's visibility form: the one rule of save_indicator."""
    save_indicator(session, actor, {"visibility": visibility}, today(), indicator)


def expect_figure(session: Session, actor: User, indicator: Indicator, period: str, due_on: date | None) -> ExpectedFigure:
    if not can_enter(actor, indicator):
        raise NotAllowed("cannot plan figures")
    fields: dict[str, str] = {}
    try:
        label, _start, _end = parse_period(period)
    except ValueError as exc:
        fields["period"] = str(exc)
        label = ""
    if due_on is None:
        fields["due_on"] = _("Vul een geldige datum in.")
    if label and session.scalars(select(ExpectedFigure.id).where(ExpectedFigure.indicator_id == indicator.id,
                                                                 ExpectedFigure.period == label)).first():
        fields["period"] = _("Voor %(period)s is al een datum afgesproken.", period=label)
    if fields or due_on is None:
        raise ValidationFailed(fields)
    row = ExpectedFigure(indicator_id=indicator.id, period=label, due_on=due_on)
    session.add(row)
    session.flush()
    audit.record("indicator.figure_expected", session=session, actor=actor, entity_type="indicator", entity_id=indicator.id,
                 period=label, due_on=due_on.isoformat())
    return row


def expected(session: Session, indicator: Indicator) -> list[ExpectedFigure]:
    return list(session.scalars(select(ExpectedFigure).where(ExpectedFigure.indicator_id == indicator.id).order_by(ExpectedFigure.due_on)))


REMIND_DAYS = 14


def remind_expected(session: Session, today: date, smtp_url: str | None, base_url: str) -> int:
    """Expected figures not yet delivered whose due date is within two weeks or past: one mail per person of the producing
    organisation (members and coordinators who may see the indicator; the responsible person only, where one is named),
    each figure at most once a day. Indicators with a frequency get their running period's figure planned first."""
    for indicator in session.scalars(select(Indicator).where(Indicator.frequency_months.is_not(None), Indicator.retired_on.is_(None))):
        schedule(session, indicator, today)  # the reporting cycle: each period's figure expected once
    delivered = select(Measurement.id).where(Measurement.indicator_id == ExpectedFigure.indicator_id, Measurement.period == ExpectedFigure.period)
    due = session.scalars(select(ExpectedFigure).where(ExpectedFigure.due_on <= today + timedelta(days=REMIND_DAYS), ~delivered.exists(),
                                                       (ExpectedFigure.reminded_on.is_(None)) | (ExpectedFigure.reminded_on < today))
                          .order_by(ExpectedFigure.due_on, ExpectedFigure.id).options(joinedload(ExpectedFigure.indicator))).all()
    per_org: dict[int, list[ExpectedFigure]] = {}
    for row in due:
        row.reminded_on = today
        per_org.setdefault(row.indicator.owner_organisation_id, []).append(row)
    session.commit()
    sent = 0
    for org_id, rows in per_org.items():
        users = session.scalars(select(User).where(User.organisation_id == org_id, User.is_active.is_(True),
                                                   User.role.in_(("member", "coordinator")), User.email.is_not(None))).all()
        for user in users:
            # An indicator with a responsible person reminds that person only.
            mine = [r for r in rows if can_enter(user, r.indicator) and r.indicator.responsible_user_id in (None, user.id)]
            if not mine or not user.email:
                continue
            lines = [f"Beste {user.name},", "", "Deze cijfers worden van uw organisatie verwacht:", ""]
            for r in mine:
                state = "te laat" if r.due_on < today else "uiterlijk"
                lines.append(f"- {r.indicator.title}, {r.period} ({state}: {long_date(r.due_on, 'nl')})")
                lines.append(f"  {base_url}/indicators/{r.indicator.key}")
            lines += ["", "Voer het cijfer in het portaal in, of importeer het met de andere cijfers.", "", "Met vriendelijke groet,",
                      "MDT-portaal mensensmokkel"]
            mail.send(smtp_url, user.email, f"MDT-portaal: {len(mine)} {'cijfer wordt' if len(mine) == 1 else 'cijfers worden'} verwacht",
                      "\n".join(lines))
            sent += 1
    return sent

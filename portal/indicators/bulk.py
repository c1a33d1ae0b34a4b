"""Figures for many indicators from one CSV or XLSX: a preview with a verdict per line, then all lines or none."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Indicator, Measurement, User

from .. import limits
from ..errors import NotAllowed, ValidationFailed
from ..periods import parse_period
from ..sheets import SheetError, read
from ..validation import text as clean_text
from .permissions import can_enter, can_import, can_view
from .services import add_measurement, parse_value

HEADERS = {"indicator": ("indicator", "sleutel", "key"), "period": ("periode", "period"), "value": ("waarde", "value"),
           "source": ("bron", "source"), "note": ("toelichting", "note")}


@dataclass
class Line:
    line: int
    indicator: str
    period: str
    value: str
    source: str
    note: str
    title: str = ""
    problems: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def _columns(header: list) -> dict[str, int]:
    names = [str(h or "").strip().lower() for h in header]
    columns = {}
    for key, aliases in HEADERS.items():
        for alias in aliases:
            if alias in names:
                columns[key] = names.index(alias)
                break
    missing = [HEADERS[k][0] for k in ("indicator", "period", "value") if k not in columns]
    if missing:
        raise SheetError(_("De eerste regel noemt de kolommen: indicator, periode, waarde (en eventueel bron, toelichting). "
                           "Niet gevonden: %(missing)s.", missing=", ".join(missing)))
    return columns


def preview(session: Session, actor: User, filename: str, raw: bytes) -> list[Line]:
    """Every line with its problems; nothing is stored. An indicator the actor may not see is reported as unknown."""
    rows = read(filename, raw)
    columns = _columns(rows[0])
    indicators = {i.key: i for i in session.scalars(select(Indicator))}
    existing = set(session.execute(select(Measurement.indicator_id, Measurement.period)).all())
    seen: dict[tuple[str, str], int] = {}
    lines = []
    for number, cells in enumerate(rows[1:], start=2):
        def cell(name, cells=cells):
            index = columns.get(name)
            return _text(cells[index]) if index is not None and index < len(cells) else ""
        line = Line(number, cell("indicator"), cell("period"), cell("value"), cell("source"), cell("note"))
        indicator = indicators.get(line.indicator)
        if indicator is None or not can_view(actor, indicator):
            line.problems.append(_("Onbekende indicator '%(key)s'.", key=line.indicator))
        elif not can_enter(actor, indicator):
            line.problems.append(_("U mag voor deze indicator geen cijfers invoeren."))
        else:
            line.title = indicator.title
        try:
            label, _start, _end = parse_period(line.period)
            line.period = label
            key = (line.indicator, label)
            if key in seen:
                line.problems.append(_("Dezelfde indicator en periode staan ook op regel %(line)d.", line=seen[key]))
            elif indicator is not None and (indicator.id, label) in existing and not line.problems:
                line.problems.append(_("Voor %(period)s is al een cijfer vastgelegd; corrigeer het op de pagina van de indicator.", period=label))
            seen.setdefault(key, number)
        except ValueError as exc:
            line.problems.append(str(exc))
        try:
            parse_value(line.value)
        except ValueError as exc:
            line.problems.append(str(exc))
        too_long: dict[str, str] = {}
        clean_text(too_long, "source", line.source, _("De bron"), limits.SOURCE_TEXT, required=False)
        clean_text(too_long, "note", line.note, _("De toelichting"), limits.REASON, required=False)
        line.problems += too_long.values()
        lines.append(line)
    if not lines:
        raise SheetError(_("Het bestand bevat alleen een kopregel."))
    return lines


def store(session: Session, actor: User, filename: str, raw: bytes) -> int:
    """All or nothing: a problem on any line stores no line at all."""
    if not can_import(actor):
        raise NotAllowed("cannot import figures")
    try:
        lines = preview(session, actor, filename, raw)
    except SheetError as exc:
        raise ValidationFailed({"file": str(exc)}) from None
    problems = {f"regel {line.line}": "; ".join(line.problems) for line in lines if line.problems}
    if problems:
        raise ValidationFailed(problems)
    indicators = {i.key: i for i in session.scalars(select(Indicator).where(Indicator.key.in_({line.indicator for line in lines})))}
    with session.begin_nested():
        for line in lines:
            add_measurement(session, actor, indicators[line.indicator], line.period, line.value, line.source, line.note)
    return len(lines)

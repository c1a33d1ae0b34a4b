"""Periods as people write them: figures per year, quarter or month; due dates as said in Parliament ("medio 2022")."""
from __future__ import annotations

import calendar
import re
from datetime import date

from flask_babel import lazy_gettext as _l

# Dutch usage in letters to Parliament, read as month ranges of the year.
_PARTS = {"begin": (1, 3), "voorjaar": (3, 5), "medio": (5, 8), "zomer": (6, 8), "najaar": (9, 11), "eind": (10, 12),
          "einde": (10, 12)}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> tuple[str, date, date]:
    """'2024' (year), '2024-Q3' (quarter) or '2024-05' (month) -> (label, start, end)."""
    text = (text or "").strip().upper()
    if re.fullmatch(r"(19|20)(\d\d)", text):
        year = int(text)
        return text, date(year, 1, 1), date(year, 12, 31)
    if m := re.fullmatch(r"((?:19|20)\d\d)-Q([1-4])", text):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * quarter - 2
        return text, date(year, first, 1), _month_end(year, first + 2)
    if m := re.fullmatch(r"((?:19|20)\d\d)-(0[1-9]|1[0-2])", text):
        year, month = int(m[1]), int(m[2])
        return text, date(year, month, 1), _month_end(year, month)
    raise ValueError(str(_l("Gebruik een jaar (2024), kwartaal (2024-Q3) of maand (2024-05).")))


def due_range(text: str) -> tuple[date, date]:
    """'medio 2022' -> (1 May 2022, 31 Aug 2022); also '2017', '2017-Q1', '2017-03' and a date '2017-03-15'."""
    cleaned = " ".join((text or "").lower().split())
    if m := re.fullmatch(r"([a-z]+) ((?:19|20)\d\d)", cleaned):
        if m[1] not in _PARTS:
            raise ValueError(str(_l("Gebruik bijvoorbeeld 'begin 2017', 'medio 2022', 'eind 2024', een jaar of een datum.")))
        first, last = _PARTS[m[1]]
        year = int(m[2])
        return date(year, first, 1), _month_end(year, last)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        try:
            day = date.fromisoformat(cleaned)
        except ValueError:
            raise ValueError(str(_l("Dit is geen bestaande datum."))) from None
        return day, day
    try:
        _, start, end = parse_period(cleaned)
    except ValueError:
        raise ValueError(str(_l("Gebruik bijvoorbeeld 'begin 2017', 'medio 2022', 'eind 2024', een jaar of een datum."))) from None
    return start, end


def period_kind(period: str) -> str:
    """'2024' -> year, '2024-Q3' -> quarter, '2024-05' -> month; anything else is its own kind."""
    if re.fullmatch(r"\d{4}", period):
        return "year"
    if re.fullmatch(r"\d{4}-Q[1-4]", period):
        return "quarter"
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return "month"
    return period

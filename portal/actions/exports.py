"""CSV and XLSX exports of the current list; cells that a spreadsheet would run as a formula are neutralised."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from models import ActionItem, is_late

from ..downloads import document_safe
from ..i18n import AMSTERDAM, STATUS_LABELS, VISIBILITY_LABELS, today
from ..workbook import Workbook

HEADERS = ["Nummer", "Titel", "Eigenaar", "Status", "Voortgang (%)", "Deadline", "Te laat", "Speerpunt", "Aanbevelingen",
           "Zichtbaar voor", "Laatst gewijzigd"]


def neutralise(value):
    """A cell starting with = + - @ (or tab/CR) is made text, so it never runs as a formula (CSV injection)."""
    if isinstance(value, str) and value and value[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows(items: list[ActionItem]) -> list[list]:
    """Typed values (dates, times, numbers, booleans); each writer shows them its own way and drops what a document
    cannot hold (downloads.document_safe: the CSV cell by cell, the workbook in its own writer)."""
    day = today()
    return [[
        item.id, item.title, item.owner_organisation.code, str(STATUS_LABELS[item.status]), item.progress,
        item.due_date, is_late(item.due_date, item.status, day),
        item.focus_area.code if item.focus_area else "",
        ", ".join(str(r.id) for r in item.recommendations), str(VISIBILITY_LABELS[item.visibility]),
        item.updated_at,
    ] for item in items]


def _csv_cell(value):
    """CSV has no types: dates as ISO, times in Amsterdam (as the pages show them), yes/no in Dutch."""
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return "" if value is None else neutralise(document_safe(value))


def to_csv(items: list[ActionItem]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows(items):
        writer.writerow([_csv_cell(v) for v in row])
    # UTF-8 with BOM so Excel (Dutch locale) opens accents and ; columns correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(items: list[ActionItem]) -> bytes:
    book = Workbook()
    book.sheet("Acties", HEADERS, rows(items))
    return book.close()

"""CSV and XLSX exports of the current list; cells that a spreadsheet would run as a formula are neutralised."""
from __future__ import annotations

import csv
import io

import xlsxwriter

from models import ActionItem, is_late

from ..downloads import document_safe
from ..i18n import STATUS_LABELS, VISIBILITY_LABELS, today

HEADERS = ["Nummer", "Titel", "Eigenaar", "Status", "Voortgang (%)", "Deadline", "Te laat", "Speerpunt", "Aanbevelingen",
           "Zichtbaar voor", "Laatst gewijzigd"]


def neutralise(value):
    """A cell starting with = + - @ (or tab/CR) is made text, so it never runs as a formula (CSV injection)."""
    if isinstance(value, str) and value and value[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows(items: list[ActionItem]) -> list[list]:
    day = today()
    return document_safe([[
        item.id, item.title, item.owner_organisation.code, str(STATUS_LABELS[item.status]), item.progress,
        item.due_date.isoformat() if item.due_date else "", "ja" if is_late(item.due_date, item.status, day) else "nee",
        item.focus_area.code if item.focus_area else "",
        ", ".join(str(r.id) for r in item.recommendations), str(VISIBILITY_LABELS[item.visibility]),
        item.updated_at.isoformat(timespec="minutes"),
    ] for item in items])


def to_csv(items: list[ActionItem]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows(items):
        writer.writerow([neutralise(v) for v in row])
    # UTF-8 with BOM so Excel (Dutch locale) opens accents and ; columns correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(items: list[ActionItem]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Acties")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    for r, row in enumerate(rows(items), start=1):
        for c, value in enumerate(row):
            value = neutralise(value)
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    sheet.freeze_panes(1, 0)
    sheet.set_column(1, 1, 60)
    workbook.close()
    return buffer.getvalue()

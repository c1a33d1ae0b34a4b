"""One way to write an Excel file (rule 14): typed cells (numbers as numbers, dates and times as dates in Amsterdam
time), column widths that fit their content, a filter and a frozen header row on every sheet, and a print setup (A4,
landscape where wide, header row repeated). A text that a spreadsheet would run as a formula is stored as text with the
quote-prefix style: safe, and shown without a visible apostrophe."""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

from .downloads import document_safe
from .i18n import AMSTERDAM

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 8, 60
A4 = 9  # Excel's paper size code


class Workbook:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                                      "strings_to_numbers": False})
        add = self.book.add_format
        self.header = add({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
        self.text = add({"valign": "top", "text_wrap": True})
        self.quoted = add({"valign": "top", "text_wrap": True, "quote_prefix": True})
        self.whole = add({"num_format": "#,##0", "valign": "top"})
        self.decimal = add({"num_format": "#,##0.0##", "valign": "top"})
        self.day = add({"num_format": "d mmmm yyyy", "valign": "top"})
        self.moment = add({"num_format": "d mmmm yyyy hh:mm", "valign": "top"})

    def _write(self, ws, r: int, c: int, value) -> int:
        """Write one typed cell; returns the width its content asks for."""
        value = document_safe(value)
        if isinstance(value, datetime):
            local = value.astimezone(AMSTERDAM) if value.tzinfo else value
            ws.write_datetime(r, c, local.replace(tzinfo=None), self.moment)
            return 18
        if isinstance(value, date):
            ws.write_datetime(r, c, datetime(value.year, value.month, value.day), self.day)
            return 17
        if isinstance(value, bool):
            ws.write_string(r, c, "ja" if value else "nee", self.text)
            return 4
        if value is None:
            ws.write_blank(r, c, None, self.text)
            return 0
        if isinstance(value, (int, float, Decimal)):
            number = float(value)
            ws.write_number(r, c, number, self.whole if number.is_integer() else self.decimal)
            return len(f"{number:,.3f}".rstrip("0").rstrip("."))
        text = str(value)
        ws.write_string(r, c, text, self.quoted if text.startswith(FORMULA_START) else self.text)
        return max((len(line) for line in text.splitlines()), default=0)

    def sheet(self, name: str, headers: list[str], rows: list[list]) -> None:
        ws = self.book.add_worksheet(name[:31])
        widths = [len(h) for h in headers]
        ws.write_row(0, 0, headers, self.header)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                widths[c] = max(widths[c], self._write(ws, r, c, value))
        for c, width in enumerate(widths):
            ws.set_column(c, c, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
        ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
        ws.freeze_panes(1, 0)
        ws.set_paper(A4)
        if sum(min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths) > 100:
            ws.set_landscape()
        ws.repeat_rows(0)
        ws.fit_to_pages(1, 0)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()

"""Spreadsheets people bring: CSV (semicolon or comma, UTF-8) and XLSX, read into rows of cells. Reading only:
what the cells mean is each import's business, and nothing is stored here."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from .inputs import DOCUMENT_UNSAFE

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 100


class SheetError(ValueError):
    """The file as a whole cannot be read (the message says why, in Dutch)."""


@dataclass
class Line:
    """One line of an import's preview: its number in the file, the values read from it and what is wrong with it."""

    line: int
    values: dict
    problems: list[str] = field(default_factory=list)


def read(filename: str, raw: bytes) -> list[list]:
    """Rows of cell values (str, int, float, date or None), empty rows dropped; the first row is the header."""
    return [row for _number, row in read_numbered(filename, raw)]


def read_numbered(filename: str, raw: bytes) -> list[tuple[int, list]]:
    """(line number in the file, cells) of every row that holds something: messages name the line the user sees."""
    if len(raw) > MAX_BYTES:
        raise SheetError(_("Het bestand is groter dan 1 MB."))
    if raw.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        rows = _xlsx(raw)
    else:
        rows = _csv(raw)
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(cell not in (None, "") for cell in row)]
    if len(numbered) > MAX_ROWS + 1:
        raise SheetError(_("Hoogstens %(max)d regels per import.", max=MAX_ROWS))
    if not numbered:
        raise SheetError(_("Het bestand bevat geen regels."))
    return numbered


def _csv(raw: bytes) -> list[list]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(_("Het bestand is geen UTF-8-tekst (CSV) en geen Excel-bestand (XLSX).")) from None
    if "\x00" in text:
        raise SheetError(_("Het bestand bevat ongeldige tekens."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [[_text(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx(raw: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            # A sheet that unpacks to far more than it weighs is refused before openpyxl reads it (zip bomb).
            if sum(info.file_size for info in archive.infolist()) > 40 * MAX_BYTES:
                raise SheetError(_("Het Excel-bestand is uitgepakt te groot."))
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
        raise SheetError(_("Het Excel-bestand kan niet worden gelezen.")) from None
    try:
        sheet = book.worksheets[0]
        # The cost follows what is in the file, not what its dimension claims: a sheet that says it spans more rows or
        # columns than an import takes is refused before a cell is read (openpyxl pads every row to the claimed width),
        # and reading stops at the limits whatever the file says (a sheet without a dimension claims nothing).
        if (sheet.max_row or 0) > MAX_ROWS + 50 or (sheet.max_column or 0) > MAX_COLUMNS:
            raise SheetError(_("Het werkblad is te groot: een import heeft hoogstens %(rows)d regels en %(columns)d kolommen. "
                               "Verwijder lege rijen en kolommen, of kopieer alleen de gegevens naar een nieuw werkblad.",
                               rows=MAX_ROWS, columns=MAX_COLUMNS))
        rows = [[_cell(v) for v in row]
                for row in sheet.iter_rows(max_row=MAX_ROWS + 51, max_col=MAX_COLUMNS, values_only=True)]
        return _fill_merged(rows, _merged_ranges(book, sheet))
    except SheetError:
        raise
    except Exception:  # noqa: BLE001 - a sheet that breaks while being read is as unreadable as one that won't open
        raise SheetError(_("Het Excel-bestand kan niet worden gelezen.")) from None
    finally:
        book.close()


# A merged range in the sheet's XML (<mergeCell ref="A5:A7"/>, any namespace prefix).
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3}[0-9]{1,7}):([A-Z]{1,3}[0-9]{1,7})"')
MAX_MERGED = 5000


def _merged_ranges(book, sheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range. openpyxl's read-only mode (used so that a sheet costs
    what it holds) does not read them, so they come from the sheet's own XML, bounded like the rest."""
    from openpyxl.utils.cell import range_boundaries

    path = getattr(sheet, "_worksheet_path", None)  # openpyxl's read-only sheet names its part in the archive
    archive = getattr(book, "_archive", None)
    if path is None or archive is None:
        return []
    with archive.open(path) as part:
        xml = part.read(40 * MAX_BYTES)
    ranges = []
    for start, end in _MERGE.findall(xml)[:MAX_MERGED]:
        min_col, min_row, max_col, max_row = range_boundaries(f"{start.decode()}:{end.decode()}")
        ranges.append((min_col, min_row, min(max_col, MAX_COLUMNS), min(max_row, MAX_ROWS + 51)))
    return ranges


def _fill_merged(rows: list[list], ranges: list[tuple[int, int, int, int]]) -> list[list]:
    """Every cell of a merged range holds the range's value, as the person sees it: an organisation merged over three
    lines is the organisation of each of them."""
    for min_col, min_row, max_col, max_row in ranges:
        if min_row > len(rows) or min_col > len(rows[min_row - 1]):
            continue
        value = rows[min_row - 1][min_col - 1]
        for r in range(min_row, min(max_row, len(rows)) + 1):
            row = rows[r - 1]
            for c in range(min_col, min(max_col, len(row)) + 1):
                row[c - 1] = value
    return rows


def _text(value: str) -> str:
    """A cell's text without control characters: Word's soft line break (U+000B, pasted into a cell) becomes a line
    break, the rest (which no document could hold) is dropped."""
    return DOCUMENT_UNSAFE.sub("", value.replace("\x0b", "\n")).strip()


def _cell(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, (int, float, date)) or value is None:
        return value
    return str(value)


# What people write in a sheet for an organisation besides its code and name.
ORGANISATION_ALIASES = {"buza": "BZ", "bz": "BZ", "buitenlandse zaken": "BZ", "marechaussee": "KMAR", "kmar": "KMAR",
                        "nationale politie": "POL", "politie": "POL", "jenv": "JENV", "j&v": "JENV", "justitie en veiligheid": "JENV",
                        "ministerie van jenv": "JENV", "openbaar ministerie": "OM", "arbeidsinspectie": "NLA", "nla": "NLA"}
TOTAL_WORDS = ("totaal", "subtotaal", "eindtotaal", "total", "som")
HEADER_SEARCH = 10  # a title row or two above the header is common in a coordinator's workbook


def table(filename: str, raw: bytes, fields: dict[str, tuple[str, ...]]) -> tuple[list, list[tuple[int, list]]]:
    """(header, [(line number, cells)]): the header is the row among the first few that names most known columns (so a
    title row above it is skipped); a row that is a total ("Totaal" in its first filled cell) is no data and left out."""
    rows = read_numbered(filename, raw)
    known = {alias for aliases in fields.values() for alias in aliases}
    hits = [sum(1 for cell in row if str(cell or "").strip().casefold() in known) for _n, row in rows[:HEADER_SEARCH]]
    start = hits.index(max(hits)) if hits and max(hits) > 0 else 0
    return rows[start][1], [(n, cells) for n, cells in rows[start + 1:] if not _is_total(cells)]


def _is_total(cells: list) -> bool:
    first = next((str(c).strip().casefold() for c in cells if c not in (None, "")), "")
    return first.rstrip(":") in TOTAL_WORDS


def guess_mapping(header: list, fields: dict[str, tuple[str, ...]]) -> dict[str, int | None]:
    """Field -> the column whose header names it (None: the user chooses)."""
    names = [str(h or "").strip().casefold() for h in header]
    return {name: next((names.index(a) for a in aliases if a in names), None) for name, aliases in fields.items()}


def organisation_codes(organisations) -> dict[str, str]:
    """Every way a sheet may name a partner (code, full name, common alias), case-insensitive, to its code."""
    codes: dict[str, str] = {alias: code for alias, code in ORGANISATION_ALIASES.items()}
    for org in organisations:
        codes[org.code.casefold()] = org.code
        codes[org.name.casefold()] = org.code
    return codes

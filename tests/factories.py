"""Building test data one way: organisations by code, items straight through the ORM (no service rules in the way), local
(Amsterdam) times, the focus areas in force and spreadsheets as an upload brings them. Meetings are made through the meeting
services in the tests that need them (the services set up the fixed first agenda item)."""
from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import select

from models import ActionItem, Organisation

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def organisation(session, code: str, **fields) -> Organisation:
    """The organisation with this code; created (an MDT member unless said otherwise) when the data has none."""
    found = session.scalars(select(Organisation).where(Organisation.code == code)).one_or_none()
    if found is None:
        found = Organisation(code=code, name=fields.pop("name", f"Organisatie {code}"), is_mdt_member=fields.pop("is_mdt_member", True),
                             **fields)
        session.add(found)
        session.flush()
    return found


def item(session, owner: str = "KMAR", visibility: str = "mdt", **fields) -> ActionItem:
    """An action item as stored, bypassing the services: for tests of reads, permissions and attacks on them."""
    for name in ("shared_with", "contributing_organisations"):
        if name in fields:
            fields[name] = [o if isinstance(o, Organisation) else organisation(session, o) for o in fields[name]]
    created = ActionItem(title=fields.pop("title", "Actie van de eigenaar"), owner_organisation=organisation(session, owner),
                         visibility=visibility, **fields)
    session.add(created)
    session.flush()
    return created


def local(y: int, m: int, d: int, h: int = 10) -> datetime:
    """A moment in Amsterdam time (meetings are planned in local time)."""
    return datetime(y, m, d, h, tzinfo=AMSTERDAM)


def current_areas(session):
    """The focus areas of the framework in force (the Beleidskader 2023-2026), in order."""
    from sqlalchemy import select

    from models import FocusArea, Framework

    return session.scalars(select(FocusArea).join(Framework).where(Framework.key == "beleidskader-2023").order_by(FocusArea.position)).all()


def xlsx(rows, merged: tuple[str, ...] = ()) -> bytes:
    """A spreadsheet (XLSX) with these rows on its first sheet, as an upload would bring it; `merged` ranges ("C4:C5")
    are merged as Excel does (the value stays in the first cell, the others are emptied)."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    for cells in merged:
        book.active.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

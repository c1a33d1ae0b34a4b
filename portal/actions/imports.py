"""An existing action list from the coordinators' Excel (or CSV): columns mapped to fields, a preview with a verdict per
line (duplicates included), then every line or none. Each line goes through the same checks as the form."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ActionItem, Organisation, User

from ..errors import ValidationFailed
from ..sheets import Line, SheetError, guess_mapping, organisation_codes, table
from .fields import clean_item_data
from .permissions import can_create, visible_clause
from .services import add_update, create_item

# Portal field -> header names that mean it (lower case), for the first guess of the mapping.
FIELDS = {
    "title": ("titel", "actie", "actiepunt", "title", "omschrijving actie"),
    "description": ("omschrijving", "toelichting", "description"),
    "owner_organisation": ("eigenaar", "organisatie", "trekker", "owner"),
    "due_date": ("deadline", "datum gereed", "einddatum", "due date", "due"),
    "focus_area": ("speerpunt", "focus area"),
    "status": ("status", "stand"),
    "progress": ("voortgang", "percentage", "progress"),
    "visibility": ("zichtbaarheid", "visibility"),
}
REQUIRED = ("title",)
STATUS_WORDS = {"open": "open", "nog niet gestart": "open", "bezig": "in_progress", "in uitvoering": "in_progress",
                "in_progress": "in_progress", "geblokkeerd": "blocked", "blocked": "blocked"}
VISIBILITY_WORDS = {"organisatie": "organisation", "organisation": "organisation", "mdt": "mdt", "openbaar": "public", "public": "public"}


def header(filename: str, raw: bytes) -> list:
    """The file's header row (the one the preview reads: a title row above it is skipped)."""
    return table(filename, raw, FIELDS)[0]


def _norm(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().casefold()


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("Datum niet herkend; gebruik 31-12-2025 of 2025-12-31.")) from None


def _data(session: Session, cells: list, mapping: dict[str, int | None], orgs: dict[str, str]) -> tuple[dict, list[str]]:
    def raw(name: str):
        index = mapping.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def cell(name: str) -> str:
        return str(raw(name) if raw(name) is not None else "").strip()
    problems: list[str] = []
    data: dict = {"title": cell("title"), "description": cell("description")}
    owner = cell("owner_organisation")
    if owner:
        data["owner_organisation"] = orgs.get(owner.casefold())
        if data["owner_organisation"] is None:
            problems.append(_("Onbekende organisatie '%(name)s'.", name=owner))
    try:
        data["due_date"] = _day(raw("due_date"))
    except ValueError as exc:
        problems.append(str(exc))
    if cell("focus_area"):
        data["focus_area"] = cell("focus_area")
    visibility = cell("visibility").casefold()
    if visibility:
        data["visibility"] = VISIBILITY_WORDS.get(visibility, visibility)
    status = cell("status").casefold()
    if status:
        data["status"] = _status(status, problems)
    if raw("progress") not in (None, ""):
        data["progress"] = _progress(raw("progress"), problems)
    return data, problems


def _status(status: str, problems: list[str]) -> str | None:
    if status in ("afgerond", "done", "gereed"):
        problems.append(_("Een afgeronde actie wordt niet geïmporteerd als afgerond: afronden gaat met twee sleutels in het portaal."))
    elif status not in STATUS_WORDS:
        problems.append(_("Onbekende status '%(status)s'; gebruik open, bezig of geblokkeerd.", status=status))
    return STATUS_WORDS.get(status)


def _progress(progress, problems: list[str]) -> int | None:
    """A percentage from 0 to 100 ("40", "40%", "40,5"; an Excel percentage cell holds 0..1)."""
    try:
        number = float(str(progress).replace("%", "").replace(",", ".").strip())
        if isinstance(progress, float) and 0 < progress <= 1:
            number = progress * 100
        if not 0 <= number <= 100:
            raise ValueError
        return round(number)
    except ValueError:
        problems.append(_("Voortgang is een percentage van 0 tot 100."))
        return None


def preview(session: Session, actor: User, filename: str, raw: bytes, mapping: dict[str, int | None] | None = None) -> tuple[list, dict, list[Line]]:
    """(header, mapping, lines): nothing is stored. A line whose title an item the actor can see already has (same owner),
    or that an earlier line has, is a duplicate; items the actor may not see are never compared (no leak)."""
    head, body = table(filename, raw, FIELDS)
    if not body:
        raise SheetError(_("Het bestand bevat alleen een kopregel."))
    guessed = guess_mapping(head, FIELDS)
    mapping = {**guessed, **mapping} if mapping else guessed  # a partial mapping keeps the guesses
    orgs = organisation_codes(session.scalars(select(Organisation).where(Organisation.taking_part())))
    existing = _existing(session, actor, body, mapping.get("title"))
    seen: dict[tuple, int] = {}
    lines = []
    for number, cells in body:
        data, problems = _data(session, cells, mapping, orgs)
        if mapping.get("title") is None:  # no dead end: the page shows a column choice per field
            problems.insert(0, _("Kies hierboven welke kolom de titel van de actie bevat."))
        line = Line(number, data, problems)
        try:
            clean_item_data(session, actor, {k: v for k, v in data.items() if k not in ("status", "progress")})
        except ValidationFailed as exc:
            line.problems += list(exc.fields.values())
        _check_double(line, (_norm(data["title"]), data.get("owner_organisation") or actor.organisation.code), seen, existing)
        lines.append(line)
    return head, mapping, lines


def _existing(session: Session, actor: User, body: list, title_column: int | None) -> dict[tuple, int]:
    """(normalised title, owner code) -> id of the items the actor can see whose title a line has."""
    titles = {_norm(str(c[title_column] or "")) for _n, c in body if title_column is not None and title_column < len(c)}
    return {(_norm(t), owner): item_id for item_id, t, owner in session.execute(
        select(ActionItem.id, ActionItem.title, Organisation.code).join(Organisation, Organisation.id == ActionItem.owner_organisation_id)
        .where(visible_clause(actor), func.lower(ActionItem.title).in_(titles)))}


def _check_double(line: Line, key: tuple, seen: dict[tuple, int], existing: dict[tuple, int]) -> None:
    """A line with a title an earlier line or a visible item (same owner) already has is a duplicate."""
    if line.values["title"] and key in seen:
        line.problems.append(_("Dubbel: dezelfde actie staat ook op regel %(line)d.", line=seen[key]))
    elif line.values["title"] and key in existing:
        line.problems.append(_("Dubbel: deze actie staat al in het portaal (actie %(id)d).", id=existing[key]))
    seen.setdefault(key, line.line)


def store(session: Session, actor: User, filename: str, raw: bytes, mapping: dict[str, int | None] | None) -> int:
    """All or nothing: any problem on any line, or any refusal while creating, stores no item."""
    if not can_create(actor):
        raise ValidationFailed({"file": _("U mag geen acties aanmaken.")})
    try:
        _header, mapping, lines = preview(session, actor, filename, raw, mapping)
    except SheetError as exc:
        raise ValidationFailed({"file": str(exc)}) from None
    problems = {f"regel {line.line}": "; ".join(line.problems) for line in lines if line.problems}
    if problems:
        raise ValidationFailed(problems)
    with session.begin_nested():
        for line in lines:
            data = {k: v for k, v in line.values.items() if k not in ("status", "progress")}
            item, _created = create_item(session, actor, data)
            status, progress = line.values.get("status"), line.values.get("progress")
            if status or progress:
                add_update(session, actor, item, item.version, f"Geïmporteerd uit {filename[:100]}.", status or item.status,
                           progress if progress is not None else item.progress)
    return len(lines)

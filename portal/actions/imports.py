"""An existing action list from the coordinators' Excel (or CSV): columns mapped to fields, a preview with a verdict per
line (duplicates included), then every line or none. Each line goes through the same checks as the form."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ActionItem, Organisation, User

from ..errors import ValidationFailed
from ..sheets import SheetError, guess_mapping, organisation_codes, table
from .permissions import can_create, visible_clause
from .services import add_update, clean_item_data, create_item

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


@dataclass
class Line:
    line: int
    values: dict
    problems: list[str] = field(default_factory=list)


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
    def cell(name):
        index = mapping.get(name)
        return cells[index] if index is not None and index < len(cells) else None
    problems = []
    data: dict = {"title": str(cell("title") or "").strip(), "description": str(cell("description") or "").strip()}
    owner = str(cell("owner_organisation") or "").strip()
    if owner:
        code = orgs.get(owner.casefold())
        if code is None:
            problems.append(_("Onbekende organisatie '%(name)s'.", name=owner))
        data["owner_organisation"] = code
    try:
        data["due_date"] = _day(cell("due_date"))
    except ValueError as exc:
        problems.append(str(exc))
    area = str(cell("focus_area") or "").strip()
    if area:
        data["focus_area"] = area
    visibility = str(cell("visibility") or "").strip().casefold()
    if visibility:
        data["visibility"] = VISIBILITY_WORDS.get(visibility, visibility)
    status = str(cell("status") or "").strip().casefold()
    if status:
        if status in ("afgerond", "done", "gereed"):
            problems.append(_("Een afgeronde actie wordt niet geïmporteerd als afgerond: afronden gaat met twee sleutels in het portaal."))
        elif status not in STATUS_WORDS:
            problems.append(_("Onbekende status '%(status)s'; gebruik open, bezig of geblokkeerd.", status=status))
        data["status"] = STATUS_WORDS.get(status)
    progress = cell("progress")
    if progress not in (None, ""):
        try:
            number = float(str(progress).replace("%", "").replace(",", ".").strip())
            if isinstance(progress, float) and 0 < progress <= 1:
                number = progress * 100  # Excel percentage cells hold 0..1
            if not 0 <= number <= 100:
                raise ValueError
            data["progress"] = round(number)
        except ValueError:
            problems.append(_("Voortgang is een percentage van 0 tot 100."))
    return data, problems


def preview(session: Session, actor: User, filename: str, raw: bytes, mapping: dict[str, int | None] | None = None) -> tuple[list, dict, list[Line]]:
    """(header, mapping, lines): nothing is stored. A line whose title an item the actor can see already has (same owner),
    or that an earlier line has, is a duplicate; items the actor may not see are never compared (no leak)."""
    head, body = table(filename, raw, FIELDS)
    if not body:
        raise SheetError(_("Het bestand bevat alleen een kopregel."))
    guessed = guess_mapping(head, FIELDS)
    mapping = {**guessed, **mapping} if mapping else guessed  # a partial mapping keeps the guesses
    orgs = organisation_codes(session.scalars(select(Organisation).where(Organisation.taking_part())))
    title_column = mapping.get("title")
    titles = {_norm(str(c[title_column] or "")) for _n, c in body if title_column is not None and title_column < len(c)}
    existing = {(_norm(t), owner): item_id for item_id, t, owner in session.execute(
        select(ActionItem.id, ActionItem.title, Organisation.code).join(Organisation, Organisation.id == ActionItem.owner_organisation_id)
        .where(visible_clause(actor), func.lower(ActionItem.title).in_(titles)))}
    seen: dict[tuple, int] = {}
    lines = []
    for number, cells in body:
        data, problems = _data(session, cells, mapping, orgs)
        if title_column is None:  # no dead end: the page shows a column choice per field
            problems.insert(0, _("Kies hierboven welke kolom de titel van de actie bevat."))
        line = Line(number, data, problems)
        try:
            clean_item_data(session, actor, {k: v for k, v in data.items() if k not in ("status", "progress")})
        except ValidationFailed as exc:
            line.problems += list(exc.fields.values())
        key = (_norm(data["title"]), data.get("owner_organisation") or actor.organisation.code)
        if data["title"] and key in seen:
            line.problems.append(_("Dubbel: dezelfde actie staat ook op regel %(line)d.", line=seen[key]))
        elif data["title"] and key in existing:
            line.problems.append(_("Dubbel: deze actie staat al in het portaal (actie %(id)d).", id=existing[key]))
        seen.setdefault(key, number)
        lines.append(line)
    return head, mapping, lines


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

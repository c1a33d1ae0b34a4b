"""Recommendations of one document from a CSV or XLSX with Dutch headers, with the government's response: a preview with
a verdict per line and a mapping the user can correct, then every line or none. Built on the shared sheet reading
(sheets.table: a title row above the header and a total row are recognised) and each line goes through the same
service as the form (content.save_recommendation, followup.record_response)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, Recommendation, Source, User

from .. import limits
from ..errors import NotAllowed, ValidationFailed
from ..focus_areas import by_code
from ..sheets import Line, SheetError, guess_mapping, organisation_codes, table
from . import content, followup
from .permissions import can_weigh

FIELDS = {
    "number": ("nr", "nr.", "nummer", "volgnummer", "aanbeveling nr", "#"),
    "text": ("aanbeveling", "aanbevelingen", "tekst", "maatregel", "omschrijving"),
    "kind": ("soort", "type"),
    "addressees": ("gericht aan", "adressaat", "adressaten", "aan", "organisatie", "organisaties"),
    "focus_areas": ("speerpunt", "speerpunten", "focus area"),
    "stance": ("reactie", "reactie kabinet", "standpunt", "kabinetsreactie", "overgenomen"),
    "response_text": ("toelichting", "toelichting reactie", "reactie tekst", "kabinetsreactie toelichting"),
}
STANCE_WORDS = {"overgenomen": "overgenomen", "ja": "overgenomen", "deels": "deels", "deels overgenomen": "deels",
                "gedeeltelijk": "deels", "niet": "niet", "niet overgenomen": "niet", "nee": "niet", "onbekend": "onbekend", "": "onbekend"}
KIND_WORDS = {"aanbeveling": "aanbeveling", "maatregel": "maatregel", "": "aanbeveling"}


def _split(value) -> list[str]:
    return [part.strip() for part in str(value or "").replace(";", ",").replace("/", ",").replace(" en ", ",").split(",") if part.strip()]


def _line(number: int, cells: list, mapping: dict[str, int | None], orgs: dict[str, str]) -> Line:
    def cell(name):
        index = mapping.get(name)
        return cells[index] if index is not None and index < len(cells) else None
    problems: list[str] = []
    raw_number = cell("number")
    try:
        rec_number = int(str(raw_number).strip().rstrip(".")) if raw_number not in (None, "") else None
    except ValueError:
        rec_number = None
        problems.append(_("Het nummer '%(value)s' is geen geheel getal.", value=raw_number))
    if raw_number in (None, "") and mapping.get("number") is not None:
        problems.append(_("Het nummer ontbreekt."))
    if isinstance(raw_number, float) and raw_number != int(raw_number):
        problems.append(_("Het nummer '%(value)s' is geen geheel getal.", value=raw_number))
    addressees = []
    for name in _split(cell("addressees")):
        code = orgs.get(name.casefold())
        if code is None:
            problems.append(_("Onbekende organisatie '%(name)s'.", name=name))
        else:
            addressees.append(code)
    stance_word = str(cell("stance") or "").strip().casefold()
    if stance_word not in STANCE_WORDS:
        problems.append(_("Onbekende reactie '%(value)s'; gebruik overgenomen, deels, niet of onbekend.", value=stance_word))
    kind_word = str(cell("kind") or "").strip().casefold()
    if kind_word not in KIND_WORDS:
        problems.append(_("Onbekende soort '%(value)s'; gebruik aanbeveling of maatregel.", value=kind_word))
    values = {"number": rec_number, "text": str(cell("text") or "").strip(), "kind": KIND_WORDS.get(kind_word, "aanbeveling"),
              "addressees": sorted(set(addressees)), "focus_areas": _split(cell("focus_areas")),
              "stance": STANCE_WORDS.get(stance_word, "onbekend"), "response_text": str(cell("response_text") or "").strip()}
    return Line(number, values, problems)


def preview(session: Session, actor: User, source: Source, filename: str, raw: bytes,
            mapping: dict[str, int | None] | None = None) -> tuple[list, dict[str, int | None], list[Line]]:
    """(header, mapping, lines): nothing is stored. Each line is checked as the form checks it, and a number the document
    already has, or an earlier line has, is refused."""
    if not can_weigh(actor):
        raise NotAllowed("only coordinators import recommendations")
    head, body = table(filename, raw, FIELDS)
    if not body:
        raise SheetError(_("Het bestand bevat alleen een kopregel."))
    guessed = guess_mapping(head, FIELDS)
    mapping = {**guessed, **{k: v for k, v in mapping.items() if k in FIELDS}} if mapping else guessed
    orgs = organisation_codes(session.scalars(select(Organisation)))
    taken = set(session.scalars(select(Recommendation.number).where(Recommendation.source_id == source.id)))
    seen: dict[int, int] = {}
    lines = []
    for number, cells in body:
        line = _line(number, cells, mapping, orgs)
        _check_columns(line, mapping)
        missing_areas = [code for code in line.values["focus_areas"] if by_code(session, code) is None]
        if missing_areas:
            line.problems.append(_("Onbekend speerpunt: %(codes)s.", codes=", ".join(missing_areas)))
        _check_number(line, taken, seen)
        lines.append(line)
    return head, mapping, lines


def _check_columns(line: Line, mapping: dict[str, int | None]) -> None:
    """No dead end: without a number or text column the page offers a column choice per field."""
    if mapping.get("text") is None:
        line.problems.insert(0, _("Kies hierboven welke kolom de tekst van de aanbeveling bevat."))
    if mapping.get("number") is None:
        line.problems.insert(0, _("Kies hierboven welke kolom het nummer bevat."))
    if not line.values["text"] and mapping.get("text") is not None:
        line.problems.append(_("De tekst ontbreekt."))


def _check_number(line: Line, taken: set[int], seen: dict[int, int]) -> None:
    """A number in range that neither the document nor an earlier line has."""
    rec_number = line.values["number"]
    if rec_number is None:
        return
    if not 0 < rec_number <= limits.NUMBER:
        line.problems.append(_("Geef een nummer van 1 tot en met %(max)d.", max=limits.NUMBER))
    elif rec_number in taken:
        line.problems.append(_("Dit document heeft al een aanbeveling met nummer %(n)d.", n=rec_number))
    elif rec_number in seen:
        line.problems.append(_("Dubbel: nummer %(n)d staat ook op regel %(line)d.", n=rec_number, line=seen[rec_number]))
    seen.setdefault(rec_number, line.line)


def store(session: Session, actor: User, source: Source, filename: str, raw: bytes, mapping: dict[str, int | None] | None,
          today) -> list[Recommendation]:
    """All or nothing: a problem on any line, or a refusal while storing, stores no recommendation."""
    try:
        _head, mapping, lines = preview(session, actor, source, filename, raw, mapping)
    except SheetError as exc:
        raise ValidationFailed({"file": str(exc)}) from None
    problems = {f"regel {line.line}": "; ".join(line.problems) for line in lines if line.problems}
    if problems:
        raise ValidationFailed(problems)
    stored = []
    try:
        with session.begin_nested():
            for line in lines:
                v = line.values
                rec = content.save_recommendation(session, actor, {"source_id": source.id, "number": v["number"], "text": v["text"],
                                                                   "kind": v["kind"], "addressees": v["addressees"],
                                                                   "focus_areas": v["focus_areas"]}, today)
                if v["stance"] != "onbekend" or v["response_text"]:
                    followup.record_response(session, actor, rec, {"stance": v["stance"], "text": v["response_text"],
                                                                   "document": source.key}, None)
                stored.append(rec)
    except ValidationFailed as exc:
        refused = lines[len(stored)].line
        raise ValidationFailed({f"regel {refused}": "; ".join(exc.fields.values())}) from None
    return stored

"""The framework's content kept by coordinators: the documents everything refers to (sources), the recommendations and
measures in them, and the commitments of a focus area. Created, corrected and retired here, never deleted once they
exist: a correction is versioned (the caller names the version it was based on) and audited with its reason, and
marks the record as the coordinators' so `load-reference` no longer overwrites it.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import RECOMMENDATION_KINDS, SOURCE_KINDS, Commitment, FocusArea, Organisation, Recommendation, Source, User

from .. import audit, limits, validation
from ..errors import NotAllowed, ValidationFailed
from ..focus_areas import by_code
from ..validation import day as clean_day
from ..validation import text as clean_text
from ..writes import check_version, save
from .permissions import can_weigh

KIND_TEXT = {"kamerbrief": _l("Kamerbrief"), "beleidsdoorlichting": _l("Beleidsdoorlichting"),
             "inspectierapport": _l("Inspectierapport"), "rapport": _l("Rapport"), "motie": _l("Motie"), "overig": _l("Overig")}
RECOMMENDATION_KIND_TEXT = {"aanbeveling": _l("Aanbeveling"), "maatregel": _l("Maatregel")}


def _coordinator(actor: User) -> None:
    if not can_weigh(actor):
        raise NotAllowed("only coordinators keep the framework's content")


def _flag(value) -> bool:
    return value in (True, "1", "y", "on", "true", "ja")


def _retire(record, data: dict, today: date) -> None:
    """`retired`: true retires the record from today on (kept, shown as retired, offered for nothing new); false restores it."""
    if "retired" not in data:
        return
    if _flag(data["retired"]):
        record.retired_on = record.retired_on or today
    else:
        record.retired_on = None


def _reason(fields: dict, data: dict, required: bool) -> str:
    return clean_text(fields, "reason", data.get("reason"), _("De reden"), limits.REASON, required=required)


def _state(record, names: tuple[str, ...]) -> dict:
    out = {}
    for name in names:
        value = getattr(record, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


SOURCE_FIELDS = ("kind", "title", "issued_on", "reference", "kamerstuk", "issued_by", "issuer", "url", "note", "retired_on")


def _web_address(fields: dict[str, str], value) -> str:
    url = clean_text(fields, "url", value, _("Het webadres"), limits.URL, required=False)
    if url and not re.match(r"^https?://[^\s/]+", url):
        fields["url"] = _("Geef een webadres dat begint met https://.")
    return url


def save_source(session: Session, actor: User, data: dict, today: date, source: Source | None = None,
                base_version: int | None = None) -> Source:
    """Create (source None) or correct a document: {kind, title, issued_on?, reference?, issued_by? (an organisation's code,
    extern ones included), issuer? (the sender in words), url?, note?, retired?, reason?}; a correction names the version
    it was based on."""
    _coordinator(actor)
    if source is not None:
        check_version(session, source, base_version)
        data = {**_state(source, SOURCE_FIELDS), **data}
    fields: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in SOURCE_KINDS:
        fields["kind"] = _("Kies een soort document.")
    title = clean_text(fields, "title", data.get("title"), _("De titel"), limits.DOCUMENT_TITLE)
    issued_on = clean_day(fields, "issued_on", data.get("issued_on"), latest=today)
    reference = clean_text(fields, "reference", data.get("reference"), _("Het kenmerk"), limits.REFERENCE, required=False)
    kamerstuk = clean_text(fields, "kamerstuk", data.get("kamerstuk"), _("Het Kamerstuknummer"), limits.REFERENCE, required=False)
    issuer = clean_text(fields, "issuer", data.get("issuer"), _("De afzender"), limits.NAME, required=False)
    issued_by = validation.organisation(session, fields, "issued_by", data.get("issued_by"), partner=False)
    url = _web_address(fields, data.get("url"))
    note = clean_text(fields, "note", data.get("note"), _("De toelichting"), limits.TEXT, required=False)
    reason = _reason(fields, data, required=False)
    if fields:
        raise ValidationFailed(fields)
    assert kind is not None and title is not None  # each refused above when missing
    before = _state(source, SOURCE_FIELDS) if source is not None else None
    if source is None:
        source = Source(key=_new_key(session, title))
        session.add(source)
    source.kind, source.title, source.issued_on = kind, title, issued_on
    source.year = issued_on.year if issued_on else source.year
    source.kamerstuk, source.issuing_organisation = kamerstuk or None, issued_by
    source.reference, source.issuer, source.url, source.note = reference or None, issuer or None, url or None, note or None
    _retire(source, data, today)
    source.corrected_at = datetime.now(UTC)
    save(session, source)
    audit.record("source.saved", session=session, actor=actor, entity_type="source", entity_id=source.id,
                 before=before, after=_state(source, SOURCE_FIELDS), reason=reason)
    return source


def _new_key(session: Session, title: str) -> str:
    """A stable key for a document entered in the portal (the reference data's keys are its own)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "document"
    n = session.scalar(select(func.count()).select_from(Source).where(Source.key.like(f"portal-{slug}%"))) or 0
    return f"portal-{slug}-{n + 1}"


def sources(session: Session, include_retired: bool = True) -> list[Source]:
    stmt = select(Source).order_by(Source.issued_on.desc().nulls_last(), Source.year.desc().nulls_last(), Source.id.desc())
    if not include_retired:
        stmt = stmt.where(Source.retired_on.is_(None))
    return list(session.scalars(stmt))


RECOMMENDATION_FIELDS = ("source_id", "number", "text", "kind", "retired_on")


def _organisations(session: Session, fields: dict, name: str, raw) -> list[Organisation]:
    codes = [c for c in (raw or []) if isinstance(c, str) and c]
    if not isinstance(raw, (list, tuple, type(None))) or len(codes) != len(raw or []):
        fields[name] = _("Geef een lijst van organisatiecodes.")
        return []
    found = list(session.scalars(select(Organisation).where(Organisation.code.in_(codes)).order_by(Organisation.code)))
    missing = sorted(set(codes) - {o.code for o in found})
    if missing:
        fields[name] = _("Deze organisaties bestaan niet: %(codes)s.", codes=", ".join(missing))
    return found


def _focus_areas(session: Session, fields: dict, raw) -> list[FocusArea]:
    """Codes as everywhere: the focus area of the framework in force (focus_areas.by_code)."""
    codes = [c for c in (raw or []) if isinstance(c, str) and c]
    if not isinstance(raw, (list, tuple, type(None))) or len(codes) != len(raw or []):
        fields["focus_areas"] = _("Geef een lijst van codes van speerpunten.")
        return []
    found = {code: by_code(session, code) for code in dict.fromkeys(codes)}
    missing = sorted(code for code, area in found.items() if area is None)
    if missing:
        fields["focus_areas"] = _("Deze speerpunten bestaan niet: %(codes)s.", codes=", ".join(missing))
    return [area for area in found.values() if area is not None]


def _open_source(session: Session, fields: dict[str, str], source_id, rec: Recommendation | None) -> Source | None:
    """The document a recommendation belongs to: one that exists and, for a new place, is not retired."""
    source = session.get(Source, source_id) if isinstance(source_id, int) and not isinstance(source_id, bool) else None
    if source is None:
        fields["source_id"] = _("Kies een bestaand document.")
    elif source.retired_on is not None and (rec is None or rec.source_id != source.id):
        fields["source_id"] = _("Dit document is ingetrokken; kies een ander.")
    return source


def _recommendation_kind(fields: dict[str, str], kind) -> str:
    kind = kind or "aanbeveling"
    if kind not in RECOMMENDATION_KINDS:
        fields["kind"] = _("Kies aanbeveling of maatregel.")
    return kind


def _number_taken(session: Session, source: Source, number: int, rec: Recommendation | None) -> bool:
    taken = session.scalars(select(Recommendation.id).where(Recommendation.source_id == source.id, Recommendation.number == number)).first()
    return taken is not None and (rec is None or taken != rec.id)


def save_recommendation(session: Session, actor: User, data: dict, today: date, rec: Recommendation | None = None,
                        base_version: int | None = None) -> Recommendation:
    """Create (rec None) or correct a recommendation or measure: {source_id, number, text, kind?, addressees: [codes],
    focus_areas?: [codes], retired?, reason?}. A second one with the same number in one source is refused."""
    _coordinator(actor)
    if rec is not None:
        check_version(session, rec, base_version)
        data = {**_state(rec, RECOMMENDATION_FIELDS), "addressees": [o.code for o in rec.addressees],
                "focus_areas": [a.code for a in rec.focus_areas], **data}
    fields: dict[str, str] = {}
    source = _open_source(session, fields, data.get("source_id"), rec)
    number: Any = data.get("number")  # an int from 1 to limits.NUMBER, checked next
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number <= limits.NUMBER:
        fields["number"] = _("Geef een nummer van 1 tot en met %(max)d.", max=limits.NUMBER)
    text = clean_text(fields, "text", data.get("text"), _("De tekst"), limits.RECOMMENDATION)
    kind = _recommendation_kind(fields, data.get("kind"))
    addressees = _organisations(session, fields, "addressees", data.get("addressees"))
    areas = _focus_areas(session, fields, data.get("focus_areas"))
    reason = _reason(fields, data, required=False)
    if source is not None and "number" not in fields and _number_taken(session, source, number, rec):
        fields["number"] = _("Dit document heeft al een aanbeveling met nummer %(n)d.", n=number)
    if fields:
        raise ValidationFailed(fields)
    assert source is not None and text is not None  # each refused above when missing
    before = _recommendation_state(rec) if rec is not None else None
    if rec is None:
        rec = Recommendation(response="onbekend")
        session.add(rec)
    rec.source_id, rec.number, rec.text, rec.kind = source.id, number, text, kind
    rec.addressees, rec.focus_areas = addressees, areas
    _retire(rec, data, today)
    rec.corrected_at = datetime.now(UTC)
    try:
        save(session, rec)
    except IntegrityError:  # the same number stored at the same moment by someone else
        session.rollback()
        raise ValidationFailed({"number": _("Dit document heeft al een aanbeveling met nummer %(n)d.", n=number)}) from None
    audit.record("recommendation.saved", session=session, actor=actor, entity_type="recommendation", entity_id=rec.id,
                 before=before, after=_recommendation_state(rec), reason=reason)
    return rec


def _recommendation_state(rec: Recommendation) -> dict:
    return {**_state(rec, RECOMMENDATION_FIELDS), "addressees": [o.code for o in rec.addressees],
            "focus_areas": [a.code for a in rec.focus_areas]}


COMMITMENT_FIELDS = ("text", "note", "retired_on")


def save_commitment(session: Session, actor: User, area: FocusArea, data: dict, today: date, commitment: Commitment | None = None,
                    base_version: int | None = None) -> Commitment:
    """Create (commitment None, as the focus area's next) or correct a commitment: {text, code?, note?, retired?, reason?};
    `code` ("3.1.4") must be the focus area's code and the commitment's position."""
    _coordinator(actor)
    if commitment is not None:
        check_version(session, commitment, base_version)
        data = {**_state(commitment, COMMITMENT_FIELDS), **data}
    fields: dict[str, str] = {}
    text = clean_text(fields, "text", data.get("text"), _("De tekst"), limits.RECOMMENDATION)
    note = clean_text(fields, "note", data.get("note"), _("De toelichting"), limits.TEXT, required=False)
    reason = _reason(fields, data, required=False)
    position = commitment.position if commitment is not None else (session.scalar(
        select(func.max(Commitment.position)).where(Commitment.focus_area_id == area.id)) or 0) + 1
    code = data.get("code")
    if code not in (None, "") and code != f"{area.code}.{position}":
        fields["code"] = _("De code is %(code)s: het speerpunt en het volgnummer.", code=f"{area.code}.{position}")
    if fields:
        raise ValidationFailed(fields)
    before = _state(commitment, COMMITMENT_FIELDS) if commitment is not None else None
    if commitment is None:
        commitment = Commitment(focus_area_id=area.id, position=position)
        session.add(commitment)
    commitment.text, commitment.note = text, note or None
    _retire(commitment, data, today)
    commitment.corrected_at = datetime.now(UTC)
    try:
        save(session, commitment)
    except IntegrityError:  # another coordinator added the area's next commitment at the same moment
        session.rollback()
        raise ValidationFailed({"text": _("Er is zojuist een andere afspraak toegevoegd; probeer het opnieuw.")}) from None
    audit.record("commitment.saved", session=session, actor=actor, entity_type="commitment", entity_id=commitment.id,
                 before=before, after=_state(commitment, COMMITMENT_FIELDS), reason=reason)
    return commitment

"""An indicator described by coordinators (definition, unit, producer, owner, visibility, focus area) and its reporting
cycle (a figure expected per period from the frequency). The figures themselves are services.py's."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import INDICATOR_VISIBILITIES, ExpectedFigure, Indicator, Organisation, User

from .. import audience, audit, limits, validation
from ..errors import NotAllowed, ValidationFailed
from ..focus_areas import by_code
from ..periods import parse_period
from ..validation import text as clean_text
from ..visibility import can_view_indicator
from ..writes import check_version, save
from .permissions import can_enter

FREQUENCIES = (1, 3, 12)  # monthly, quarterly, yearly: the periods figures are kept in (periods.parse_period)
KEY_PATTERN = r"[a-z0-9][a-z0-9-]{1,63}"
DUE_AFTER_DAYS = 31  # a period's figure is expected a month after it ends
INDICATOR_FIELDS = ("title", "unit", "definition", "producer", "producer_organisation", "owner_organisation", "visibility", "focus_area", "frequency_months",
                    "responsible_user_id")


def _indicator_state(indicator: Indicator) -> dict:
    return {"title": indicator.title, "unit": indicator.unit, "definition": indicator.definition, "producer": indicator.producer,
            "producer_organisation": indicator.producer_organisation.code if indicator.producer_organisation else None,
            "owner_organisation": indicator.owner_organisation.code if indicator.owner_organisation else None,
            "visibility": indicator.visibility, "focus_area": indicator.focus_area.code if indicator.focus_area else None,
            "frequency_months": indicator.frequency_months, "responsible_user_id": indicator.responsible_user_id}


def save_indicator(session: Session, actor: User, data: dict, today: date, indicator: Indicator | None = None,
                   base_version: int | None = None) -> Indicator:
    """Create (coordinators) or change an indicator: {key (create only), title, unit, definition?, producer?, owner_organisation,
    visibility, focus_area?, frequency_months?, responsible_user_id?}. Who may see it (and who owns it) only its owner decides
    (rule 3): a change that is only that is 403 for anyone else, a change among others 422 on that field."""
    before = _may_save(session, actor, data, indicator, base_version)
    if before is not None:
        data = {**before, **data}
    clean = _clean_indicator(session, data, indicator)
    if indicator is None:
        indicator = Indicator(key=clean.pop("key"))
        session.add(indicator)
    clean.pop("key", None)
    for name, value in clean.items():
        setattr(indicator, name, value)
    indicator.corrected_at = datetime.now(UTC)
    if not can_view_indicator(actor, indicator):
        raise ValidationFailed({"visibility": _("Dan kunt u de indicator zelf niet meer zien. Kies een ruimere zichtbaarheid.")})
    save(session, indicator)
    schedule(session, indicator, today)
    audit.record("indicator.saved", session=session, actor=actor, entity_type="indicator", entity_id=indicator.id,
                 before=before, after=_indicator_state(indicator))
    return indicator


def _may_save(session: Session, actor: User, data: dict, indicator: Indicator | None, base_version: int | None) -> dict | None:
    """Coordinators create and describe; who may see it (and who owns it) only its owner decides (rule 3). Returns the
    indicator's state before the change (None on a create)."""
    if actor is None or not actor.is_active or actor.role != "coordinator":
        if indicator is None or not can_enter(actor, indicator) or set(data) - {"visibility"}:
            raise NotAllowed("only coordinators create and describe indicators")
    if indicator is None:
        return None
    before = _indicator_state(indicator)
    if base_version is not None:
        check_version(session, indicator, base_version)
    changed = {k for k, v in data.items() if k in INDICATOR_FIELDS and before.get(k) != v}
    if changed and changed <= audience.RULES[Indicator].fields:
        audience.require(actor, indicator)
    audience.check(actor, indicator, changed)
    return before


def _clean_indicator(session: Session, data: dict, indicator: Indicator | None) -> dict:
    """The indicator's columns from the input, or ValidationFailed with a message per field."""
    fields: dict[str, str] = {}
    key = indicator.key if indicator is not None else _new_key(session, fields, str(data.get("key") or ""))
    owner = validation.organisation(session, fields, "owner_organisation", data.get("owner_organisation"))
    if owner is None:
        fields["owner_organisation"] = _("Kies de organisatie die de cijfers levert.")
    visibility = data.get("visibility") or "public"
    if visibility not in INDICATOR_VISIBILITIES:
        fields["visibility"] = _("Kies wie de indicator mag zien.")
    area = by_code(session, str(data["focus_area"])) if data.get("focus_area") else None
    if data.get("focus_area") and area is None:
        fields["focus_area"] = _("Kies een bestaand speerpunt.")
    clean = {
        "key": key, "title": clean_text(fields, "title", data.get("title"), _("De titel"), limits.TITLE),
        "unit": clean_text(fields, "unit", data.get("unit"), _("De eenheid"), limits.UNIT),
        "definition": clean_text(fields, "definition", data.get("definition"), _("De definitie"), limits.TEXT, required=False),
        "producer": clean_text(fields, "producer", data.get("producer"), _("De bron van de cijfers"), limits.NAME, required=False) or None,
        "producer_organisation": validation.organisation(session, fields, "producer_organisation", data.get("producer_organisation"),
                                                         partner=False),
        "owner_organisation": owner, "owner_organisation_id": owner.id if owner else None, "visibility": visibility,
        "focus_area_id": area.id if area else None, "frequency_months": _frequency(fields, data.get("frequency_months")),
        "responsible_user_id": _responsible(session, fields, data.get("responsible_user_id"), owner),
    }
    if fields:
        raise ValidationFailed(fields)
    return clean


def _frequency(fields: dict[str, str], frequency) -> int | None:
    if frequency is not None and (isinstance(frequency, bool) or frequency not in FREQUENCIES):
        fields["frequency_months"] = _("Kies elke maand (1), elk kwartaal (3) of elk jaar (12).")
    return frequency


def _new_key(session: Session, fields: dict[str, str], key: str) -> str:
    if not re.fullmatch(KEY_PATTERN, key) or key in ("new", "import"):
        fields["key"] = _("Gebruik 2 tot 64 kleine letters, cijfers en streepjes, bijvoorbeeld emm-voorwegingen.")
    elif session.scalars(select(Indicator.id).where(Indicator.key == key)).first() is not None:
        fields["key"] = _("Er is al een indicator met deze sleutel.")
    return key


def _responsible(session: Session, fields: dict[str, str], rid, owner: Organisation | None) -> int | None:
    """The person who delivers the figures: an active member or coordinator of the owner organisation."""
    if rid is None:
        return None
    person = session.get(User, rid) if isinstance(rid, int) and not isinstance(rid, bool) and 0 < rid < 2**31 else None
    if person is None or not person.is_active or owner is None or person.organisation_id != owner.id \
            or person.role not in ("member", "coordinator"):
        fields["responsible_user_id"] = _("Kies een actieve medewerker van de organisatie die de cijfers levert.")
        return None
    return person.id


def current_period(frequency: int, day: date) -> str:
    if frequency == 12:
        return str(day.year)
    if frequency == 3:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def schedule(session: Session, indicator: Indicator, today: date) -> ExpectedFigure | None:
    """The reporting cycle: the figure of the running period is expected a month after it ends (created once)."""
    if not indicator.frequency_months:
        return None
    label, _start, end = parse_period(current_period(indicator.frequency_months, today))
    existing = session.scalars(select(ExpectedFigure).where(ExpectedFigure.indicator_id == indicator.id, ExpectedFigure.period == label)).first()
    if existing is not None:
        return existing
    row = ExpectedFigure(indicator_id=indicator.id, period=label, due_on=end + timedelta(days=DUE_AFTER_DAYS))
    session.add(row)
    session.flush()
    return row

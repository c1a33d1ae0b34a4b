"""A new framework (the next Beleidskader), with the focus areas and the commitments carried over from an earlier one."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Commitment, FocusArea, Framework, User, commitment_carryovers

from .. import audit, limits, validation
from ..errors import NotAllowed, ValidationFailed
from ..validation import text as clean_text
from .permissions import can_weigh


def create(session: Session, actor: User, data: dict, earlier: Framework | None, carried_ids: set[int]) -> Framework:
    """Carried commitments keep their text and weight, in a focus area with the same code and title, linked to the original."""
    if not can_weigh(actor):
        raise NotAllowed("only coordinators add a framework")
    framework = Framework(**_checked(session, data, earlier))
    session.add(framework)
    session.flush()
    carried = _carry(session, framework, earlier, carried_ids) if earlier else 0
    audit.record("framework.created", session=session, actor=actor, entity_type="framework", entity_id=framework.id,
                 title=framework.title, carried_from=earlier.id if earlier else None, commitments_carried=carried)
    return framework


def _checked(session: Session, data: dict, earlier: Framework | None) -> dict:
    """A new framework's key, title and period, or ValidationFailed with a message per field."""
    fields: dict[str, str] = {}
    title = clean_text(fields, "title", data.get("title"), _("De titel"), limits.DOCUMENT_TITLE)
    start = validation.day(fields, "period_start", data.get("period_start"))
    end = validation.day(fields, "period_end", data.get("period_end"))
    for name, value in (("period_start", start), ("period_end", end)):
        if value is None:
            fields.setdefault(name, str(_l("Vul een geldige datum in (JJJJ-MM-DD).")))
    if start and end and end < start:
        fields["period_end"] = str(_l("Het einde ligt vóór het begin."))
    if earlier and start and start <= earlier.period_start:
        fields["period_start"] = str(_l("Een volgend beleidskader begint na het vorige."))
    key = re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")[:48] or "beleidskader"
    if session.scalars(select(Framework.id).where(Framework.key == key)).first() is not None:
        fields["title"] = str(_l("Er is al een beleidskader met deze titel."))
    if fields:
        raise ValidationFailed(fields)
    return {"key": key, "title": title, "period_start": start, "period_end": end}


def _carry(session: Session, framework: Framework, earlier: Framework, carried_ids: set[int]) -> int:
    """Each focus area of the earlier framework again, with the chosen commitments linked to their originals."""
    carried = 0
    for area in earlier.focus_areas:
        new_area = FocusArea(framework_id=framework.id, code=area.code, title=area.title, position=area.position)
        session.add(new_area)
        session.flush()
        for position, old in enumerate([c for c in area.commitments if c.id in carried_ids], start=1):
            new = Commitment(focus_area_id=new_area.id, position=position, text=old.text, weight=old.weight, note=old.note)
            session.add(new)
            session.flush()
            session.execute(commitment_carryovers.insert().values(from_commitment_id=old.id, to_commitment_id=new.id))
            carried += 1
    return carried


def set_weights(session: Session, actor: User, area: FocusArea, weights: dict[int, str]) -> dict[int, list[str]]:
    """Coordinators weigh the commitments of a focus area in the roll-up (equal unless set): commitment id -> weight as
    typed ("2,5" or "2.5"); each from 0.1 to 100. All or none. Returns the changes per position, audited."""
    if not can_weigh(actor):
        raise NotAllowed("only coordinators weigh commitments")
    by_id = {c.id: c for c in area.commitments}
    wrong, parsed = [], {}
    for commitment_id, raw in weights.items():
        commitment = by_id.get(commitment_id)
        try:
            weight = Decimal(str(raw).replace(",", ".").strip())
            if commitment is None or not Decimal("0.1") <= weight <= Decimal("100"):
                raise InvalidOperation
        except InvalidOperation:
            wrong.append(str(commitment.position) if commitment else str(commitment_id))
            continue
        parsed[commitment] = weight
    if wrong:
        raise ValidationFailed({"weights": _("Geen gewichten opgeslagen: een gewicht is een getal van 0,1 tot 100 (fout bij afspraak %(positions)s).",
                                             positions=", ".join(wrong))})
    changes = {c.position: [str(c.weight), str(w)] for c, w in parsed.items() if w != c.weight}
    for commitment, weight in parsed.items():
        commitment.weight = weight
    if changes:
        session.flush()
        audit.record("framework.weights_changed", session=session, actor=actor, entity_type="focus_area", entity_id=area.id, changes=changes)
    return changes

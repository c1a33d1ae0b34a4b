"""The register of toezeggingen and moties: what was promised to Parliament, by whom, by when, and what has been done.

The records themselves are parliamentary (public to every signed-in partner); the action items linked to them
follow the items' own visibility everywhere they are listed.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, joinedload

from models import (
    PARLIAMENT_KINDS,
    PARLIAMENT_STATUSES,
    ActionItem,
    DueChange,
    ParliamentAnswer,
    ParliamentCommitment,
    Source,
    User,
    parliament_items,
    utcnow,
)

from .. import audit, limits, mail, validation
from ..actions.permissions import visible_clause
from ..errors import NotAllowed, ValidationFailed
from ..i18n import long_date
from ..periods import due_range
from ..statements import built
from ..validation import day as clean_day
from ..validation import text as clean_text
from ..writes import check_version, save
from .permissions import can_weigh

KIND_TEXT = {"toezegging": _l("Toezegging"), "motie": _l("Motie")}
STATUS_TEXT = {"open": _l("Open"), "fulfilled": _l("Nagekomen"), "partly_fulfilled": _l("Deels nagekomen"), "lapsed": _l("Vervallen")}
# Partly fulfilled is still running: what remains is open (its note says what).
STILL_OPEN = ("open", "partly_fulfilled")
CLOSED = ("fulfilled", "lapsed")
REMIND_DAYS = 14


def open_on(as_of: date) -> ColumnElement[bool]:
    """Made by the date and not yet fulfilled or lapsed on it."""
    return and_(or_(ParliamentCommitment.made_on.is_(None), ParliamentCommitment.made_on <= as_of),
                or_(ParliamentCommitment.status.in_(STILL_OPEN), ParliamentCommitment.closed_on > as_of))


def is_overdue(commitment: ParliamentCommitment, today: date) -> bool:
    """Past its term and not answered: a letter that answered it in part ends "termijn verstreken" (what remains is open)."""
    return commitment.status == "open" and commitment.due_end is not None and commitment.due_end < today


def register(session: Session, status: str | None = None) -> list[ParliamentCommitment]:
    stmt = (select(ParliamentCommitment).order_by(ParliamentCommitment.status != "open", ParliamentCommitment.due_end.is_(None),
                                                  ParliamentCommitment.due_end, ParliamentCommitment.id)
            .options(joinedload(ParliamentCommitment.owner_organisation), joinedload(ParliamentCommitment.source),
                     joinedload(ParliamentCommitment.fulfilled_by)))
    if status in PARLIAMENT_STATUSES:
        stmt = stmt.where(ParliamentCommitment.status == status)
    return list(session.scalars(stmt))


def coming_due(session: Session, today: date, days: int = REMIND_DAYS) -> list[ParliamentCommitment]:
    """Still open (or partly fulfilled) with a term that starts within `days` or has passed: the register's ?due=soon."""
    return list(session.scalars(_coming_due(today, days)))


@built
def _coming_due(today: date, days: int) -> Select:
    return (select(ParliamentCommitment).where(
        ParliamentCommitment.status.in_(STILL_OPEN), ParliamentCommitment.due_start.is_not(None),
        ParliamentCommitment.due_start <= today + timedelta(days=days))
        .order_by(ParliamentCommitment.due_end, ParliamentCommitment.id)
        .options(joinedload(ParliamentCommitment.owner_organisation), joinedload(ParliamentCommitment.source),
                 joinedload(ParliamentCommitment.fulfilled_by)))


def linked_items(session: Session, viewer: User, commitment_ids: list[int]) -> dict[int, list[ActionItem]]:
    """The linked action items the viewer may see, per commitment: one query."""
    rows = session.execute(select(parliament_items.c.parliament_commitment_id, ActionItem)
                           .join(ActionItem, ActionItem.id == parliament_items.c.action_item_id)
                           .where(parliament_items.c.parliament_commitment_id.in_(commitment_ids), visible_clause(viewer))
                           .order_by(ActionItem.id).options(joinedload(ActionItem.owner_organisation))).all()
    out: dict[int, list[ActionItem]] = {}
    for pid, item in rows:
        out.setdefault(pid, []).append(item)
    return out


def _due(fields: dict[str, str], label: str) -> tuple[date | None, date | None]:
    """The dates a term in words stands for ("medio 2022")."""
    if not label:
        return None, None
    try:
        return due_range(label)
    except ValueError as exc:
        fields["due"] = str(exc)
        return None, None


def _closed_on(fields: dict[str, str], status: str, raw, today: date) -> date | None:
    """When a closed toezegging or motie was closed (today when not given); an open one has no date."""
    closed_on = clean_day(fields, "closed_on", raw, latest=today)
    if status not in CLOSED:
        return None
    return closed_on or (today if "closed_on" not in fields else None)


def save_commitment(session: Session, actor: User, data: dict, today: date, commitment: ParliamentCommitment | None = None,
                    base_version: int | None = None) -> ParliamentCommitment:
    """Create (commitment None) or change a toezegging or motie; a change names the version it was based on."""
    if not can_weigh(actor):
        raise NotAllowed("only coordinators keep the register")
    if commitment is not None:
        check_version(session, commitment, base_version)
    fields: dict[str, str] = {}
    kind = data.get("kind") or (commitment.kind if commitment else "toezegging")
    if kind not in PARLIAMENT_KINDS:
        fields["kind"] = str(_l("Kies toezegging of motie."))
    text = clean_text(fields, "text", data.get("text"), _("De tekst"), limits.TEXT)
    kamerstuk = clean_text(fields, "kamerstuk", data.get("kamerstuk"), _("Het Kamerstuknummer"), limits.REFERENCE, required=False)
    due_label = clean_text(fields, "due", data.get("due"), _("De termijn"), limits.DUE, required=False)
    due_start, due_end = _due(fields, due_label)
    made_on = clean_day(fields, "made_on", data.get("made_on"))
    status = data.get("status") or "open"
    if status not in PARLIAMENT_STATUSES:
        fields["status"] = str(_l("Kies open, nagekomen, deels nagekomen of vervallen."))
    closed_on = _closed_on(fields, status, data.get("closed_on"), today)
    owner = validation.organisation(session, fields, "owner_organisation", data.get("owner_organisation"))
    fulfilled_by = validation.source(session, fields, "fulfilled_by", data.get("fulfilled_by"))
    fulfilled_note = clean_text(fields, "fulfilled_note", data.get("fulfilled_note"), _("De toelichting"), limits.REASON, required=False)
    made_in = clean_text(fields, "made_in", data.get("made_in"), _("Waar het is toegezegd"), limits.PLACE, required=False)
    member = clean_text(fields, "member", data.get("member"), _("Het Kamerlid"), limits.NAME, required=False)
    due_reason = clean_text(fields, "due_reason", data.get("due_reason"), _("De reden voor de nieuwe termijn"), limits.REASON, required=False)
    item_ids = _item_ids(session, actor, data.get("action_item_ids"), fields)
    if fields:
        raise ValidationFailed(fields)
    before = _state(commitment) if commitment else None
    if commitment is not None and commitment.due_label != due_label:
        # The griffie's "nieuwe termijn": the term before, when and why, kept.
        session.add(DueChange(parliament_commitment_id=commitment.id, due_label=commitment.due_label, changed_on=today,
                              reason=due_reason, changed_by_id=actor.id))
    if commitment is None:
        commitment = ParliamentCommitment()
        session.add(commitment)
    commitment.kind, commitment.text, commitment.kamerstuk = kind, text, kamerstuk
    commitment.due_label, commitment.due_start, commitment.due_end = due_label, due_start, due_end
    commitment.made_on, commitment.status = made_on, status
    commitment.closed_on, commitment.made_in, commitment.member = closed_on, made_in, member
    commitment.owner_organisation, commitment.fulfilled_by, commitment.fulfilled_note = owner, fulfilled_by, fulfilled_note
    save(session, commitment)
    if item_ids is not None:
        _relink(session, actor, commitment, item_ids)
    audit.record("parliament.saved", session=session, actor=actor, entity_type="parliament_commitment", entity_id=commitment.id,
                 before=before, after=_state(commitment))
    return commitment


def _state(c: ParliamentCommitment) -> dict:
    return {"kind": c.kind, "kamerstuk": c.kamerstuk, "text": c.text, "due": c.due_label, "status": c.status,
            "closed_on": c.closed_on.isoformat() if c.closed_on else None, "made_in": c.made_in, "member": c.member}


def answer(session: Session, actor: User, commitment: ParliamentCommitment, letter: Source, status: str, on: date) -> None:
    """A sent letter answered this commitment, wholly (fulfilled, closed on the day it was sent) or in part."""
    before = _state(commitment)
    session.add(ParliamentAnswer(parliament_commitment_id=commitment.id, source_id=letter.id, status=status, recorded_at=utcnow()))
    commitment.status = status
    if status == "fulfilled":
        commitment.closed_on, commitment.fulfilled_by_source_id = on, letter.id
    save(session, commitment)
    audit.record("parliament.answered", session=session, actor=actor, entity_type="parliament_commitment", entity_id=commitment.id,
                 before=before, after=_state(commitment), letter=letter.id)


def history(session: Session, commitment_ids: list[int]) -> tuple[dict[int, list[DueChange]], dict[int, list[ParliamentAnswer]]]:
    """Per commitment: its changed terms (oldest first) and the letters that answered it (two queries)."""
    changes: dict[int, list[DueChange]] = {}
    for change in session.scalars(select(DueChange).where(DueChange.parliament_commitment_id.in_(commitment_ids))
                                  .order_by(DueChange.changed_on, DueChange.id)):
        changes.setdefault(change.parliament_commitment_id, []).append(change)
    answers: dict[int, list[ParliamentAnswer]] = {}
    for a in session.scalars(select(ParliamentAnswer).where(ParliamentAnswer.parliament_commitment_id.in_(commitment_ids))
                             .options(joinedload(ParliamentAnswer.source)).order_by(ParliamentAnswer.recorded_at, ParliamentAnswer.id)):
        answers.setdefault(a.parliament_commitment_id, []).append(a)
    return changes, answers


def _item_ids(session: Session, actor: User, raw, fields: dict) -> list[int] | None:
    """Linked items: ids of items the actor may see; an id it may not see is refused like one that does not exist."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split() if part]
    try:
        ids = sorted({int(x) for x in raw})
    except (TypeError, ValueError):
        fields["action_item_ids"] = str(_l("Geef de nummers van acties, gescheiden door komma's."))
        return None
    if any(not 0 < i < 2**31 for i in ids):
        fields["action_item_ids"] = str(_l("Geef de nummers van acties, gescheiden door komma's."))
        return None
    seen = set(session.scalars(select(ActionItem.id).where(ActionItem.id.in_(ids), visible_clause(actor))))
    missing = [i for i in ids if i not in seen]
    if missing:
        fields["action_item_ids"] = str(_l("Deze acties bestaan niet: %(ids)s.", ids=", ".join(map(str, missing))))
    return ids


def _relink(session: Session, actor: User, commitment: ParliamentCommitment, ids: list[int]) -> None:
    """Replace the links the actor can see; links to items the actor may not see stay as they are."""
    visible = select(ActionItem.id).where(visible_clause(actor))
    session.execute(parliament_items.delete().where(parliament_items.c.parliament_commitment_id == commitment.id,
                                                    parliament_items.c.action_item_id.in_(visible)))
    for item_id in ids:
        session.execute(parliament_items.insert().values(parliament_commitment_id=commitment.id, action_item_id=item_id))


def remind(session: Session, today: date, smtp_url: str | None, base_url: str) -> int:
    """Open toezeggingen and moties whose term starts within two weeks, or has passed: one mail per coordinator and member
    of the owner organisation, each commitment at most once a day."""
    due = session.scalars(select(ParliamentCommitment).where(
        ParliamentCommitment.status == "open", ParliamentCommitment.owner_organisation_id.is_not(None),
        ParliamentCommitment.due_start.is_not(None), ParliamentCommitment.due_start <= today + timedelta(days=REMIND_DAYS),
        or_(ParliamentCommitment.reminded_on.is_(None), ParliamentCommitment.reminded_on < today))
        .order_by(ParliamentCommitment.due_end, ParliamentCommitment.id)).all()
    per_org: dict[int | None, list[ParliamentCommitment]] = {}  # every one has an owner (the query asks for one)
    for c in due:
        c.reminded_on = today
        per_org.setdefault(c.owner_organisation_id, []).append(c)
    session.commit()
    sent = 0
    for org_id, commitments in per_org.items():
        users = session.scalars(select(User).where(User.organisation_id == org_id, User.is_active.is_(True),
                                                   User.role.in_(("member", "coordinator")), User.email.is_not(None))).all()
        lines = ["Deze toezeggingen en moties aan de Tweede Kamer vragen aandacht:", ""]
        for c in commitments:
            when = f"{c.due_label} ({long_date(c.due_start, 'nl')} tot en met {long_date(c.due_end, 'nl')})"
            state = "termijn verstreken" if is_overdue(c, today) else "termijn nadert"
            lines.append(f"- {c.kamerstuk + ': ' if c.kamerstuk else ''}{c.text} ({state}: {when})")
            lines.append(f"  {base_url}/parliament/{c.id}")
        lines += ["", "Leg vast wat er is gedaan, of pas de termijn aan als die niet meer klopt.", "", "Met vriendelijke groet,",
                  "MDT-portaal mensensmokkel"]
        subject = f"MDT-portaal: {len(commitments)} {'toezegging vraagt' if len(commitments) == 1 else 'toezeggingen vragen'} aandacht"
        for user in users:
            mail.send(smtp_url, user.email or "", subject, f"Beste {user.name},\n\n" + "\n".join(lines))
            sent += 1
    return sent

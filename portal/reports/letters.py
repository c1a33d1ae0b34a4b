"""The letter to Parliament a report is the annex of: once sent, it is registered as a source (kind kamerbrief), the
toezeggingen and moties it answers take their new status with the letter named, and the next report compares with it."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import ANSWER_STATUSES, ParliamentCommitment, Report, Source, User, utcnow

from .. import audit, limits
from ..errors import NotAllowed, ValidationFailed
from ..framework import parliament
from ..validation import day as clean_day
from ..validation import text as clean_text
from .permissions import can_manage_reports


class AlreadySent(Exception):
    """A report is sent once (409)."""

    def __init__(self, report: Report):
        super().__init__(f"report {report.id} was sent")
        self.report = report


def mark_sent(session: Session, actor: User, report: Report, data: dict, today: date) -> Source:
    """{sent_on, reference, kamerstuk?, answers: [{parliament_id, status}]}: the letter as a source, and what it answered."""
    if not can_manage_reports(actor):
        raise NotAllowed("only coordinators register a sent letter")
    if report.sent_source_id is not None:
        raise AlreadySent(report)
    fields: dict[str, str] = {}
    sent_on = clean_day(fields, "sent_on", data.get("sent_on"), latest=today)
    if sent_on is None:
        fields.setdefault("sent_on", _("Vul de datum van verzending in (JJJJ-MM-DD)."))
    elif sent_on < report.as_of:
        fields["sent_on"] = _("De brief kan niet vóór de peildatum van de rapportage zijn verstuurd.")
    reference = clean_text(fields, "reference", data.get("reference"), _("Het kenmerk"), limits.REFERENCE)
    kamerstuk = clean_text(fields, "kamerstuk", data.get("kamerstuk"), _("Het Kamerstuknummer"), limits.REFERENCE, required=False)
    answers = _answers(session, data.get("answers") or [], fields)
    if fields:
        raise ValidationFailed(fields)
    assert sent_on is not None
    letter = Source(key=f"kamerbrief-rapportage-{report.id}", kind="kamerbrief", title=report.title, issued_on=sent_on, year=sent_on.year,
                    reference=reference, kamerstuk=kamerstuk or None, corrected_at=utcnow(),
                    note=_("Verstuurd met de rapportage met peildatum %(date)s als bijlage.", date=report.as_of.isoformat()))
    session.add(letter)
    try:
        session.flush()
    except IntegrityError:  # the same report sent at the same moment by another coordinator: its letter's key is taken
        session.rollback()
        raise AlreadySent(report) from None
    report.sent_source_id = letter.id
    for commitment, status in answers:
        parliament.answer(session, actor, commitment, letter, status, sent_on)
    audit.record("report.sent", session=session, actor=actor, entity_type="report", entity_id=report.id, source=letter.id,
                 sent_on=sent_on.isoformat(), answers={c.id: status for c, status in answers})
    return letter


def _answers(session: Session, raw, fields: dict) -> list[tuple[ParliamentCommitment, str]]:
    problem = _answers_shape(raw)
    if problem:
        fields["answers"] = problem
        return []
    ids = [a["parliament_id"] for a in raw]
    found = {c.id: c for c in session.scalars(select(ParliamentCommitment).where(ParliamentCommitment.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        fields["answers"] = _("Deze toezeggingen bestaan niet: %(ids)s.", ids=", ".join(map(str, missing)))
        return []
    closed = [i for i in ids if found[i].status in parliament.CLOSED]
    if closed:
        fields["answers"] = _("Deze toezeggingen zijn al afgesloten: %(ids)s.", ids=", ".join(map(str, closed)))
        return []
    return [(found[a["parliament_id"]], a["status"]) for a in raw]


def _answers_shape(raw) -> str | None:
    """What is wrong with the answers' form, if anything: a list of {parliament_id, status}, each commitment once."""
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        return _("Geef per toezegging het nummer en de stand.")
    ids = [a.get("parliament_id") for a in raw]
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids) or len(set(ids)) != len(ids):
        return _("Noem elke toezegging één keer, met haar nummer.")
    if any(a.get("status") not in ANSWER_STATUSES or set(a) - {"parliament_id", "status"} for a in raw):
        return _("Kies per toezegging nagekomen (fulfilled) of deels nagekomen (partly_fulfilled).")
    return None


def last_sent(session: Session, before: date) -> Report | None:
    """The latest report whose letter was sent, with a peildatum before the date: the next report compares with it."""
    return session.scalars(select(Report).where(Report.sent_source_id.is_not(None), Report.as_of < before)
                           .order_by(Report.as_of.desc(), Report.id.desc()).limit(1)).first()

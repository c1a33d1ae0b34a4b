"""Disposal of records past their term: proposed as a list (kind, id, date: no content), approved by an admin, then
carried out, each step in the audit trail. Nothing is deleted without an approved list; the audit trail itself is
append-only and never disposed of here."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import ActionItem, Attachment, Decision, DisposalList, Meeting, Report, UpdateRound, User

from .. import audit
from ..admin.permissions import can_administer
from ..config import Records
from ..errors import NotAllowed
from .archive import due_records


class NotApproved(Exception):
    pass


def propose(session: Session, before: date, rules: Records, today: date) -> DisposalList:
    due = due_records(session, before, rules, today)
    records = ([{"kind": "action_item", "id": i.id, "finished": i.updated_at.date().isoformat()} for i in due["items"]]
               + [{"kind": "meeting", "id": m.id, "finished": m.starts_at.date().isoformat()} for m in due["meetings"]]
               + [{"kind": "report", "id": r.id, "finished": r.as_of.isoformat()} for r in due["reports"]])
    proposal = DisposalList(before=before, records=records, status="proposed")
    session.add(proposal)
    session.flush()
    audit.record("records.disposal_proposed", session=session, entity_type="disposal_list", entity_id=proposal.id, count=len(records))
    return proposal


def approve(session: Session, actor: User, proposal: DisposalList) -> None:
    if not can_administer(actor):
        raise NotAllowed("only admins approve disposal")
    if proposal.status != "proposed":
        raise NotApproved("only a proposed list can be approved")
    proposal.status, proposal.approved_by_id, proposal.approved_at = "approved", actor.id, datetime.now(UTC)
    session.flush()
    audit.record("records.disposal_approved", session=session, actor=actor, entity_type="disposal_list", entity_id=proposal.id,
                 count=len(proposal.records))


def execute(session: Session, proposal: DisposalList, storage) -> dict[str, int]:
    """Carry out an approved list; refused for any other. Links to disposed records are cut, files removed."""
    if proposal.status != "approved" or proposal.approved_by_id is None:
        raise NotApproved("a disposal list must be approved by an admin first")
    ids = {kind: [r["id"] for r in proposal.records if r["kind"] == kind] for kind in ("action_item", "meeting", "report")}
    for key in session.scalars(select(Attachment.storage_key).where(Attachment.action_item_id.in_(ids["action_item"]))):
        (storage / key).unlink(missing_ok=True)
    session.execute(delete(ActionItem).where(ActionItem.id.in_(ids["action_item"])))
    session.execute(update(ActionItem).where(ActionItem.meeting_id.in_(ids["meeting"])).values(meeting_id=None, agenda_item_id=None))
    session.execute(delete(Decision).where(Decision.meeting_id.in_(ids["meeting"])))
    session.execute(delete(Meeting).where(Meeting.id.in_(ids["meeting"])))
    session.execute(update(Report).where(Report.previous_report_id.in_(ids["report"])).values(previous_report_id=None))
    session.execute(update(UpdateRound).where(UpdateRound.report_id.in_(ids["report"])).values(report_id=None))
    session.execute(delete(Report).where(Report.id.in_(ids["report"])))
    proposal.status, proposal.executed_at = "executed", datetime.now(UTC)
    session.flush()
    counts = {kind: len(v) for kind, v in ids.items()}
    audit.record("records.disposed", session=session, entity_type="disposal_list", entity_id=proposal.id, counts=counts, ids=ids)
    return counts

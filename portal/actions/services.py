"""Writes on action items. Services take (actor, objects, plain data), flush, audit, never touch the request.

Every write that changes an item names the version it was based on; a stale
version raises VersionConflict, so two people never silently overwrite each other.
"""
from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    FINISHED,
    UPDATE_STATUSES,
    ActionItem,
    Comment,
    ProgressUpdate,
    User,
    utcnow,
)

from .. import audit, limits
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..validation import text as clean_text
from ..writes import check_version, save
from .fields import clean_item_data
from .permissions import can_comment, can_confirm, can_create, can_edit, can_request_closure, can_review_closure, can_view, is_owner_side


def _snapshot(item: ActionItem) -> dict:
    return {
        "title": item.title, "description": item.description,
        "owner_organisation": item.owner_organisation.code if item.owner_organisation else None,
        "visibility": item.visibility,
        "shared_with": sorted(o.code for o in item.shared_with),
        "contributing_organisations": sorted(o.code for o in item.contributing_organisations),
        "focus_area": item.focus_area.code if item.focus_area else None,
        "recommendation_ids": sorted(r.id for r in item.recommendations),
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "assignee_id": item.assignee.id if item.assignee else None,
        "status": item.status, "progress": item.progress,
    }


def _history(session: Session, actor: User, item: ActionItem, kind: str, note: str) -> ProgressUpdate:
    entry = ProgressUpdate(action_item_id=item.id, author_id=actor.id, recorded_at=utcnow(), kind=kind, note=note,
                           status=item.status, progress=item.progress, due_date=item.due_date)
    session.add(entry)
    return entry


def _submission_hash(actor: User, key: str | None) -> str | None:
    """Keys are per user: the stored value is a hash of (user, key)."""
    return hashlib.sha256(f"{actor.id}:{key}".encode()).hexdigest() if key else None


def _submitted(session: Session, stored_key: str | None) -> ActionItem | None:
    if not stored_key:
        return None
    return session.scalars(select(ActionItem).where(ActionItem.submission_key == stored_key)).one_or_none()


def _replayed(actor: User, item: ActionItem) -> ActionItem:
    """Rule 4: a replay answers as a GET of the item would now (404 when the caller can no longer see it)."""
    if not can_view(actor, item):
        raise NotFound("the replayed item is not visible to this user")
    return item


def create_item(session: Session, actor: User, data: dict, submission_key: str | None = None) -> tuple[ActionItem, bool]:
    """Create an item; with a submission key, a repeated submit returns the first item (created=False)."""
    if not can_create(actor):
        raise NotAllowed("readers cannot create items")
    if submission_key is not None and not (isinstance(submission_key, str) and 8 <= len(submission_key) <= 64):
        raise ValidationFailed({"submission_key": _("De formuliercode is ongeldig; laad het formulier opnieuw.")})
    stored_key = _submission_hash(actor, submission_key)
    existing = _submitted(session, stored_key)
    if existing is not None:
        return _replayed(actor, existing), False
    values = clean_item_data(session, actor, data)
    item = ActionItem(status="open", progress=0, created_by_id=actor.id, submission_key=stored_key, **values)
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
            if not can_view(actor, item):
                # Rule 3: whoever creates an item must be able to see it afterwards.
                raise ValidationFailed({"visibility": _("Met deze keuze kunt u de actie zelf niet zien. Kies een andere "
                                                        "zichtbaarheid of deel de actie met uw organisatie.")})
    except IntegrityError:
        # The same form arrived twice at the same moment: the other request won.
        existing = _submitted(session, stored_key)
        if existing is None:
            raise
        return _replayed(actor, existing), False
    _history(session, actor, item, "update", "Actie aangemaakt.")
    audit.record("action.created", session=session, actor=actor, entity_type="action_item", entity_id=item.id, after=_snapshot(item))
    session.flush()
    return item, True


def update_item(session: Session, actor: User, item: ActionItem, base_version: int | None, data: dict) -> ActionItem:
    if not can_edit(actor, item):
        raise NotAllowed("cannot edit")
    check_version(session, item, base_version)
    values = clean_item_data(session, actor, data, item)
    before = _snapshot(item)
    for name, value in values.items():
        setattr(item, name, value)
    after = _snapshot(item)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        return item
    if "due_date" in changed:
        _history(session, actor, item, "update", f"Deadline gewijzigd van {before['due_date'] or 'geen'} naar {after['due_date'] or 'geen'}.")
    item.updated_at = utcnow()
    save(session, item)
    audit.record("action.updated", session=session, actor=actor, entity_type="action_item", entity_id=item.id, changes=changed)
    if not can_view(actor, item):
        # A user may hide an item from their own organisation only as coordinator of another; never silently.
        raise ValidationFailed({"visibility": _("Met deze keuze kunt u de actie zelf niet meer zien.")})
    return item


def add_update(session: Session, actor: User, item: ActionItem, base_version: int | None,
               note: str | None, status: str | None = None, progress: int | None = None) -> ProgressUpdate:
    if not can_edit(actor, item):
        raise NotAllowed("cannot update")
    check_version(session, item, base_version)
    fields: dict[str, str] = {}
    note = clean_text(fields, "note", note, _("De toelichting"), limits.NOTE, required=True)
    status = status or item.status
    if item.status in FINISHED:
        fields["status"] = _("Deze actie is afgesloten; er kunnen geen voortgangsberichten meer bij.")
    elif item.status == "awaiting_confirmation":
        fields["status"] = _("Deze actie is gemeld als afgerond en wacht op bevestiging door een coördinator.")
    elif status not in UPDATE_STATUSES:
        fields["status"] = _("Kies open, bezig of geblokkeerd. Afronden en laten vervallen gaan via hun eigen knop.")
    if progress is None:
        progress = item.progress
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        fields["progress"] = _("De voortgang is een heel getal van 0 tot en met 100.")
    if fields:
        raise ValidationFailed(fields)
    before = {"status": item.status, "progress": item.progress}
    item.status, item.progress = status, progress
    item.updated_at = utcnow()
    save(session, item)
    entry = _history(session, actor, item, "update", note)
    session.flush()
    audit.record("action.progress", session=session, actor=actor, entity_type="action_item", entity_id=item.id,
                 before=before, after={"status": status, "progress": progress})
    return entry


def _transition(session: Session, actor: User, item: ActionItem, kind: str, note: str, action: str, **changes) -> None:
    """Apply a status change as one versioned write, with its history entry and audit event."""
    for name, value in changes.items():
        setattr(item, name, value)
    item.updated_at = utcnow()
    save(session, item)
    _history(session, actor, item, kind, note)
    audit.record(action, session=session, actor=actor, entity_type="action_item", entity_id=item.id)
    session.flush()


def request_closure(session: Session, actor: User, item: ActionItem, base_version: int | None, closing_note: str | None) -> None:
    """First key: the owner organisation reports the item done, with a closing note."""
    if not can_request_closure(actor, item):
        raise NotAllowed("only the owner organisation closes")
    check_version(session, item, base_version)
    fields: dict[str, str] = {}
    note = clean_text(fields, "closing_note", closing_note, _("De afsluitende toelichting"), limits.NOTE, required=True)
    if item.status in FINISHED:
        fields["closing_note"] = _("Deze actie is al afgerond of vervallen.")
    elif item.status == "awaiting_confirmation":
        fields["closing_note"] = _("Deze actie wacht al op bevestiging van de afronding.")
    if fields:
        raise ValidationFailed(fields)
    _transition(session, actor, item, "closure_requested", note, "action.closure_requested", status="awaiting_confirmation", progress=100,
                closure_state="requested", closing_note=note, closure_requested_at=utcnow())


def closure_request(session: Session, item: ActionItem) -> ProgressUpdate | None:
    """The history entry of the pending closure request (its author is the first key)."""
    return session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id,
                                                        ProgressUpdate.kind == "closure_requested")
                           .order_by(ProgressUpdate.recorded_at.desc(), ProgressUpdate.id.desc()).limit(1)).first()


def confirm_closure(session: Session, actor: User, item: ActionItem, base_version: int | None) -> None:
    """Second key: a coordinator other than the one who requested the closure confirms it (four eyes)."""
    if not can_review_closure(actor, item):
        raise NotAllowed("only coordinators confirm")
    check_version(session, item, base_version)
    if item.closure_state != "requested":
        raise ValidationFailed({"closure": _("Er is geen afronding die op bevestiging wacht.")})
    request = closure_request(session, item)
    if not can_confirm(actor, item, request.author_id if request else None):
        raise NotAllowed("the requester cannot confirm their own closure")
    _transition(session, actor, item, "closure_confirmed", "Afronding bevestigd.", "action.closure_confirmed",
                status="done", closure_state="confirmed", closure_confirmed_by_id=actor.id, closure_confirmed_at=utcnow())


def reject_closure(session: Session, actor: User, item: ActionItem, base_version: int | None, reason: str | None) -> None:
    """Send back: status and progress return to what they were before the closure was requested."""
    if not can_review_closure(actor, item):
        raise NotAllowed("only coordinators send back")
    check_version(session, item, base_version)
    fields: dict[str, str] = {}
    reason = clean_text(fields, "reason", reason, _("De reden"), limits.NOTE, required=True)
    if item.closure_state != "requested":
        fields["closure"] = _("Er is geen afronding die op bevestiging wacht.")
    if fields:
        raise ValidationFailed(fields)
    request = closure_request(session, item)
    before = session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id,
                                                          ProgressUpdate.id < request.id, ProgressUpdate.status.in_(UPDATE_STATUSES))
                             .order_by(ProgressUpdate.id.desc()).limit(1)).first() if request is not None else None
    status, progress = (before.status, before.progress) if before is not None else ("in_progress", item.progress)
    _transition(session, actor, item, "closure_rejected", reason, "action.closure_rejected",
                status=status, progress=progress, closure_state="none", closure_requested_at=None, closing_note=None)


def cancel_item(session: Session, actor: User, item: ActionItem, base_version: int | None, reason: str | None) -> None:
    if not is_owner_side(actor, item):
        raise NotAllowed("only the owner organisation cancels")
    check_version(session, item, base_version)
    fields: dict[str, str] = {}
    reason = clean_text(fields, "reason", reason, _("De reden"), limits.NOTE, required=True)
    if item.status in FINISHED:
        fields["reason"] = _("Deze actie is al afgerond of vervallen.")
    if fields:
        raise ValidationFailed(fields)
    _transition(session, actor, item, "update", f"Vervallen: {reason}", "action.cancelled", status="cancelled", cancel_reason=reason,
                closure_state="none", closure_requested_at=None)


def add_comment(session: Session, actor: User, item: ActionItem, body: str | None) -> Comment:
    if not can_comment(actor, item):
        raise NotAllowed("readers cannot comment")
    fields: dict[str, str] = {}
    body = clean_text(fields, "body", body, _("De reactie"), limits.NOTE, required=True)
    if fields:
        raise ValidationFailed(fields)
    comment = Comment(action_item_id=item.id, author_id=actor.id, body=body)
    session.add(comment)
    session.flush()
    audit.record("action.commented", session=session, actor=actor, entity_type="action_item", entity_id=item.id, comment_id=comment.id)
    return comment

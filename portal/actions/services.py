"""Writes on action items. Services take (actor, objects, plain data), flush, audit, never touch the request.

Every write that changes an item names the version it was based on; a stale
version raises VersionConflict, so two people never silently overwrite each other.
"""
from __future__ import annotations

import hashlib
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    FINISHED,
    UPDATE_STATUSES,
    VISIBILITIES,
    ActionItem,
    AgendaItem,
    Comment,
    Commitment,
    Meeting,
    Organisation,
    ProgressUpdate,
    Recommendation,
    User,
    utcnow,
)

from .. import audience, audit, focus_areas, limits
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..validation import Cleaning, run_cleaners
from ..validation import text as clean_text
from ..visibility import can_view_record
from ..writes import check_version, save
from .permissions import can_choose_owner, can_comment, can_confirm, can_create, can_edit, can_request_closure, can_review_closure, can_view, is_owner_side


def _org_list(c: Cleaning, name: str, label: str) -> list[Organisation]:
    codes = c.data.get(name) or []
    if not isinstance(codes, (list, tuple)) or not all(isinstance(code, str) for code in codes):
        c.fields[name] = _("%(label)s: geef een lijst met organisatiecodes.", label=label)
        return []
    unknown = [code for code in codes if code not in c.orgs()]
    if unknown:
        c.fields[name] = _("Onbekende organisatie: %(codes)s.", codes=", ".join(unknown))
        return []
    return [c.orgs()[code] for code in dict.fromkeys(codes)]


def _title(c: Cleaning) -> None:
    c.out["title"] = clean_text(c.fields, "title", c.data.get("title"), _("De titel"), limits.TITLE, required=True)


def _description(c: Cleaning) -> None:
    c.out["description"] = clean_text(c.fields, "description", c.data.get("description"), _("De omschrijving"), limits.DESCRIPTION, required=False)


def _owner(c: Cleaning) -> None:
    code = c.data.get("owner_organisation") or c.actor.organisation.code
    if code not in c.orgs():
        c.fields["owner_organisation"] = _("Kies een bestaande organisatie als eigenaar.")
    else:
        c.out["owner_organisation"] = c.orgs()[code]


def _contributors(c: Cleaning) -> None:
    c.out["contributing_organisations"] = _org_list(c, "contributing_organisations", "Bijdragende organisaties")


def _shared_with(c: Cleaning) -> None:
    c.out["shared_with"] = _org_list(c, "shared_with", "Gedeeld met")


def _visibility(c: Cleaning) -> None:
    visibility = c.data.get("visibility") or "mdt"
    if visibility not in VISIBILITIES:
        c.fields["visibility"] = _("Kies wie de actie mag zien.")
    c.out["visibility"] = visibility


def _focus_area(c: Cleaning) -> None:
    code = c.data.get("focus_area")
    area = focus_areas.by_code(c.session, code)
    if code and area is None:
        c.fields["focus_area"] = _("Kies een bestaand speerpunt.")
    c.out["focus_area"] = area


def _recommendations(c: Cleaning) -> None:
    ids = c.data.get("recommendation_ids") or []
    if not isinstance(ids, (list, tuple)) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        c.fields["recommendation_ids"] = _("Geef een lijst met nummers van aanbevelingen.")
        return
    recs = c.session.scalars(select(Recommendation).where(Recommendation.id.in_(ids))).all()
    if len(recs) != len(set(ids)):
        c.fields["recommendation_ids"] = _("Een of meer aanbevelingen bestaan niet.")
    c.out["recommendations"] = sorted(recs, key=lambda r: r.id)


def _commitment(c: Cleaning) -> None:
    commitment_id = c.data.get("commitment_id")
    commitment = c.session.get(Commitment, commitment_id) if isinstance(commitment_id, int) else None
    if commitment_id is not None and commitment is None:
        c.fields["commitment_id"] = _("Kies een bestaande afspraak.")
    area = c.current("focus_area")
    if commitment is not None and (area is None or commitment.focus_area_id != area.id):
        c.fields["commitment_id"] = _("Deze afspraak hoort bij een ander speerpunt; kies het speerpunt van de afspraak.")
    c.out["commitment"] = commitment


def _meeting(c: Cleaning) -> None:
    """The meeting (and agenda item) the item comes from: one the actor may see, and an agenda item of it."""
    meeting_id, agenda_item_id = c.data.get("meeting_id"), c.data.get("agenda_item_id")
    meeting = c.session.get(Meeting, meeting_id) if isinstance(meeting_id, int) else None
    agenda_item = c.session.get(AgendaItem, agenda_item_id) if isinstance(agenda_item_id, int) else None
    if meeting_id is not None and (meeting is None or not can_view_record(c.actor, meeting)):
        c.fields["meeting_id"] = _("Deze vergadering bestaat niet.")
        meeting = None
    elif agenda_item_id is not None and (agenda_item is None or meeting is None or agenda_item.meeting_id != meeting.id):
        c.fields["agenda_item_id"] = _("Dit agendapunt hoort niet bij deze vergadering.")
    c.out["meeting_id"] = meeting.id if meeting else None
    c.out["agenda_item_id"] = agenda_item.id if agenda_item and meeting else None


def _due_date(c: Cleaning) -> None:
    due = c.data.get("due_date")
    if due is not None and not isinstance(due, date):
        c.fields["due_date"] = _("Vul een geldige datum in.")
    elif due is not None and not date(2000, 1, 1) <= due <= date(2100, 12, 31):
        c.fields["due_date"] = _("Vul een datum tussen 2000 en 2100 in.")
    c.out["due_date"] = due


def _assignee(c: Cleaning) -> None:
    assignee_id = c.data.get("assignee_id")
    assignee = c.session.get(User, assignee_id) if isinstance(assignee_id, int) else None
    owner = c.current("owner_organisation")
    if assignee_id is not None and (assignee is None or not assignee.is_active):
        c.fields["assignee_id"] = _("Kies een bestaande, actieve gebruiker.")
    elif assignee is not None and owner is not None and assignee.organisation_id != owner.id:
        c.fields["assignee_id"] = _("De uitvoerder moet bij de eigenaar-organisatie horen.")
    c.out["assignee"] = assignee


# (input field, cleaner, also on a create without the field). Order matters where a cleaner reads another's
# result: the owner before the assignee, the focus area before the commitment.
_CLEANERS = (
    ("title", _title, True), ("description", _description, False), ("owner_organisation", _owner, True),
    ("contributing_organisations", _contributors, False), ("shared_with", _shared_with, False),
    ("visibility", _visibility, True), ("focus_area", _focus_area, False), ("recommendation_ids", _recommendations, False),
    ("commitment_id", _commitment, False), ("meeting_id", _meeting, False), ("due_date", _due_date, False),
    ("assignee_id", _assignee, False),
)


def clean_item_data(session: Session, actor: User, data: dict, item: ActionItem | None = None) -> dict:
    """Check every field of a create or edit; raises ValidationFailed with a Dutch message per field.

    `data` holds plain values: codes for organisations and focus areas, ids for
    recommendations and assignee, a date or None for due_date.
    """
    c = run_cleaners(Cleaning(session, actor, data, item), _CLEANERS)
    _check_owner_side(c)
    if c.fields:
        raise ValidationFailed(c.fields)
    return c.out


def _check_owner_side(c: Cleaning) -> None:
    out, fields, item, actor = c.out, c.fields, c.item, c.actor
    # Rule 3, who changes who may see (mass assignment is checked, not trusted): visibility, shares and
    # contributors belong to the owner organisation; the owner itself only to its coordinators.
    owner = out.get("owner_organisation")
    current_owner = item.owner_organisation_id if item else actor.organisation_id
    owner_side = actor.organisation_id == current_owner
    if owner is not None and owner.id != current_owner and not (can_choose_owner(actor) and owner_side):
        fields["owner_organisation"] = _("Alleen een coördinator van de eigenaar-organisatie kan de eigenaar wijzigen.")
    if item is not None:
        try:
            audience.check(actor, item, [name for name in audience.RULES[ActionItem].fields
                                         if name in out and out[name] != getattr(item, name)])
        except ValidationFailed as exc:
            fields.update(exc.fields)
    if c.current("visibility") == "partners" and not c.current("shared_with"):
        fields.setdefault("shared_with", _("Kies met welke partners u de actie deelt."))


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
               note: str, status: str | None = None, progress: int | None = None) -> ProgressUpdate:
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


def request_closure(session: Session, actor: User, item: ActionItem, base_version: int | None, closing_note: str) -> None:
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


def reject_closure(session: Session, actor: User, item: ActionItem, base_version: int | None, reason: str) -> None:
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


def cancel_item(session: Session, actor: User, item: ActionItem, base_version: int | None, reason: str) -> None:
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


def add_comment(session: Session, actor: User, item: ActionItem, body: str) -> Comment:
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

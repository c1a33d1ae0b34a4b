"""Action items: list, create, read, change, progress updates and history."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import ActionItem, Attachment, AuditEvent, Comment

from ..access import get_or_404, signed_in
from ..actions import attachments, imports, services
from ..actions import queries as action_queries
from ..actions.permissions import visible_clause
from ..extensions import counts_as_download, db
from . import bp
from .bodies import CommentBody, ItemWrite, NoBody, NoteBody, ReasonBody, UpdateBody
from .helpers import MAX_PER_PAGE, _if_match, _item_response, body_of, posted_mapping, service_call, uploaded_file
from .schemas import ApiError, api_error, item_json

READ_ONLY = {"id", "version", "created_at", "updated_at", "status", "progress", "meeting_id"}


def _item_data() -> dict:
    data = dict(body_of(ItemWrite, READ_ONLY))
    if "due_date" in data and data["due_date"] is not None:
        try:
            data["due_date"] = date.fromisoformat(data["due_date"])  # text: the body checked its type
        except ValueError:
            data["due_date"] = object()  # the service reports it as an invalid date
    return data


@bp.get("/action-items")
def list_action_items():
    viewer = signed_in()
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", 25, type=int) or 25
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        return api_error(400, "bad_request", f"page moet >= 1 zijn en per_page tussen 1 en {MAX_PER_PAGE}.")
    filters = action_queries.Filters.from_args(request.args)
    if filters.errors:
        return api_error(400, "bad_request", "Controleer de filters.", filters.errors)
    items, total = action_queries.page_of(viewer, filters, page, per_page)
    links = action_queries.links(db.session, [i.id for i in items])
    return jsonify(items=[item_json(i, links[i.id]) for i in items], total=total, page=page, per_page=per_page)


@bp.post("/action-items")
def create_action_item():
    viewer = signed_in()
    data = _item_data()
    key = request.headers.get("Idempotency-Key")
    with service_call(_("U mag geen acties aanmaken.")):
        item, created = services.create_item(db.session, viewer, data, key)
    response = _item_response(item, 201 if created else 200)
    response.headers["Location"] = url_for("api.get_action_item", item_id=item.id)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/action-items/<int:item_id>")
def get_action_item(item_id: int):
    return _item_response(get_or_404(ActionItem, item_id, visible=visible_clause))


@bp.patch("/action-items/<int:item_id>")
def patch_action_item(item_id: int):
    viewer = signed_in()
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    base = _if_match()
    data = _item_data()
    with service_call(_("U mag deze actie niet wijzigen.")):
        services.update_item(db.session, viewer, item, base, data)
    return _item_response(item)


@bp.post("/action-items/<int:item_id>/updates")
def post_update(item_id: int):
    viewer = signed_in()
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    base = _if_match()
    body = body_of(UpdateBody)
    with service_call(_("U mag deze actie niet bijwerken.")):
        entry = services.add_update(db.session, viewer, item, base, body.get("note"), body.get("status"), body.get("progress"))
    response = _item_response(item, 201)
    response.headers["Location"] = url_for("api.item_history", item_id=item.id) + f"#{entry.id}"
    return response


@bp.get("/action-items/<int:item_id>/history")
def item_history(item_id: int):
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    updates = db.session.scalars(action_queries.history(item)).all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "action_item", AuditEvent.entity_id == item.id)
                                .order_by(AuditEvent.at, AuditEvent.id)).all()
    return jsonify(
        updates=[{"id": u.id, "recorded_at": u.recorded_at.isoformat(), "author_id": u.author_id, "kind": u.kind,
                  "note": u.note, "status": u.status, "progress": u.progress,
                  "due_date": u.due_date.isoformat() if u.due_date else None} for u in reversed(updates)],
        events=[{"id": e.id, "at": e.at.isoformat(), "actor_id": e.actor_id, "organisation": e.organisation_code,
                 "action": e.action, "diff": {k: v for k, v in e.diff.items() if k != "ip"}} for e in events],
    )


# -- the page actions' twins: two-key closure, comments, attachments ------------------------

def _item(item_id: int) -> ActionItem:
    return get_or_404(ActionItem, item_id, visible=visible_clause)




@bp.post("/action-items/<int:item_id>/closure")
def request_closure(item_id: int):
    """First key: the owner organisation reports the item done; status becomes awaiting_confirmation."""
    item = _item(item_id)
    base = _if_match()
    body = body_of(NoteBody)
    with service_call(_("Alleen de eigenaar-organisatie meldt een actie als afgerond.")):
        services.request_closure(db.session, signed_in(), item, base, body.get("note"))
    return _item_response(item)


@bp.post("/action-items/<int:item_id>/closure/confirm")
def confirm_closure(item_id: int):
    """Second key: a coordinator who did not request the closure; status becomes done."""
    item = _item(item_id)
    base = _if_match()
    if request.get_data():
        body_of(NoBody)
    with service_call(_("Alleen een andere coördinator dan de aanvrager bevestigt de afronding.")):
        services.confirm_closure(db.session, signed_in(), item, base)
    return _item_response(item)


@bp.post("/action-items/<int:item_id>/closure/reject")
def reject_closure(item_id: int):
    item = _item(item_id)
    base = _if_match()
    body = body_of(ReasonBody)
    with service_call(_("Alleen coördinatoren sturen een afronding terug.")):
        services.reject_closure(db.session, signed_in(), item, base, body.get("reason"))
    return _item_response(item)


@bp.post("/action-items/<int:item_id>/cancellation")
def cancel(item_id: int):
    """The item lapses (vervalt) with a reason; it stays in the history and the reports."""
    item = _item(item_id)
    base = _if_match()
    body = body_of(ReasonBody)
    with service_call(_("U mag deze actie niet laten vervallen.")):
        services.cancel_item(db.session, signed_in(), item, base, body.get("reason"))
    return _item_response(item)


@bp.post("/action-items/import")
def import_items():
    """The coordinators' action list as XLSX or CSV (multipart: file, optional mapping = JSON {field: column number}; without it
    the columns are guessed from the header). All lines become items, or none: 422 names every bad line."""
    filename, raw = uploaded_file()
    mapping = posted_mapping(imports.FIELDS)
    with service_call(_("U mag geen acties aanmaken.")):
        count = imports.store(db.session, signed_in(), filename, raw, mapping)
    return jsonify({"imported": count}), 201


def _comment_json(comment: Comment) -> dict:
    return {"id": comment.id, "body": comment.body, "author_id": comment.author_id,
            "author": comment.author.name if comment.author else None, "created_at": comment.created_at.isoformat()}


@bp.get("/action-items/<int:item_id>/comments")
def list_comments(item_id: int):
    item = _item(item_id)
    comments = db.session.scalars(select(Comment).where(Comment.action_item_id == item.id).order_by(Comment.created_at, Comment.id)
                                  .options(joinedload(Comment.author))).all()
    return jsonify([_comment_json(c) for c in comments])


@bp.post("/action-items/<int:item_id>/comments")
def add_comment(item_id: int):
    item = _item(item_id)
    body = body_of(CommentBody)
    with service_call(_("U mag bij deze actie geen reactie plaatsen.")):
        comment = services.add_comment(db.session, signed_in(), item, body.get("body"))
    response = jsonify(_comment_json(comment))
    response.status_code = 201
    return response


def _attachment_json(item: ActionItem, attachment: Attachment) -> dict:
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes, "sha256": attachment.sha256, "is_evidence": attachment.is_evidence,
            "uploaded_at": attachment.uploaded_at.isoformat(),
            "url": url_for("api.download_attachment", item_id=item.id, attachment_id=attachment.id)}


@bp.get("/action-items/<int:item_id>/attachments")
def list_attachments(item_id: int):
    item = _item(item_id)
    rows = db.session.scalars(select(Attachment).where(Attachment.action_item_id == item.id).order_by(Attachment.uploaded_at)).all()
    return jsonify([_attachment_json(item, a) for a in rows])


@bp.post("/action-items/<int:item_id>/attachments")
def upload_attachment(item_id: int):
    """multipart/form-data with field `file` (and optional `is_evidence` = true/1)."""
    item = _item(item_id)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"file": _("Kies een bestand (veld 'file').")})
    evidence = request.form.get("is_evidence", "").lower() in ("1", "true", "on", "yes")
    with service_call(_("U mag bij deze actie geen bestanden toevoegen.")):
        attachment = attachments.store_upload(db.session, signed_in(), item, upload, is_evidence=evidence)
    response = jsonify(_attachment_json(item, attachment))
    response.status_code = 201
    response.headers["Location"] = _attachment_json(item, attachment)["url"]
    return response


@bp.get("/action-items/<int:item_id>/attachments/<int:attachment_id>")
@counts_as_download
def download_attachment(item_id: int, attachment_id: int):
    item = _item(item_id)
    attachment = attachments.of_item(db.session, item, attachment_id)
    if attachment is None:
        raise ApiError(404, "not_found", _("Niet gevonden."))
    return attachments.send(attachment, attachments.storage_dir())

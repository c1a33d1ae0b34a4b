"""API twins of the item page's actions: two-key closure, comments, attachments (contract, "JSON API")."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import ActionItem, Attachment, Comment

from ..access import current_viewer, get_or_404
from ..actions import services
from ..actions.attachments import send, store
from ..actions.permissions import visible_clause
from ..extensions import counts_as_download, db
from . import bp
from .schemas import TEXT, ApiError, check_types
from .views import _if_match, _item_response, _json_body, _refuse_unknown, service_call


def _item(item_id: int) -> ActionItem:
    return get_or_404(ActionItem, item_id, visible=visible_clause)


def _body(fields: dict) -> dict:
    body = _json_body()
    _refuse_unknown(body, set(fields))
    check_types(body, fields)
    return body


@bp.post("/action-items/<int:item_id>/closure")
def request_closure(item_id: int):
    """First key: the owner organisation reports the item done; status becomes awaiting_confirmation."""
    item = _item(item_id)
    base = _if_match()
    body = _body({"note": TEXT})
    with service_call("Alleen de eigenaar-organisatie meldt een actie als afgerond."):
        services.request_closure(db.session, current_viewer(), item, base, body.get("note"))
    return _item_response(item)


@bp.post("/action-items/<int:item_id>/closure/confirm")
def confirm_closure(item_id: int):
    """Second key: a coordinator who did not request the closure; status becomes done."""
    item = _item(item_id)
    base = _if_match()
    if request.get_data():
        _body({})
    with service_call("Alleen een andere coördinator dan de aanvrager bevestigt de afronding."):
        services.confirm_closure(db.session, current_viewer(), item, base)
    return _item_response(item)


@bp.post("/action-items/<int:item_id>/closure/reject")
def reject_closure(item_id: int):
    item = _item(item_id)
    base = _if_match()
    body = _body({"reason": TEXT})
    with service_call("Alleen coördinatoren sturen een afronding terug."):
        services.reject_closure(db.session, current_viewer(), item, base, body.get("reason"))
    return _item_response(item)


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
    body = _body({"body": TEXT})
    with service_call("U mag bij deze actie geen reactie plaatsen."):
        comment = services.add_comment(db.session, current_viewer(), item, body.get("body"))
    response = jsonify(_comment_json(comment))
    response.status_code = 201
    return response


def _attachment_json(item: ActionItem, attachment: Attachment) -> dict:
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes, "sha256": attachment.sha256, "is_evidence": attachment.is_evidence,
            "uploaded_at": attachment.uploaded_at.isoformat(),
            "url": url_for("api.download_attachment", item_id=item.id, attachment_id=attachment.id)}


def _storage() -> Path:
    return Path(current_app.instance_path) / "attachments"


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
        raise ApiError(422, "validation_failed", "Controleer de velden.", {"file": "Kies een bestand (veld 'file')."})
    limit = current_app.config["PORTAL_UPLOAD_MAX"]
    evidence = request.form.get("is_evidence", "").lower() in ("1", "true", "on", "yes")
    with service_call("U mag bij deze actie geen bestanden toevoegen."):
        attachment = store(db.session, current_viewer(), item, upload.filename or "", upload.read(limit + 1), _storage(), limit,
                           is_evidence=evidence)
    response = jsonify(_attachment_json(item, attachment))
    response.status_code = 201
    response.headers["Location"] = _attachment_json(item, attachment)["url"]
    return response


@bp.get("/action-items/<int:item_id>/attachments/<int:attachment_id>")
@counts_as_download
def download_attachment(item_id: int, attachment_id: int):
    item = _item(item_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.action_item_id != item.id:
        raise ApiError(404, "not_found", "Not Found")
    return send(attachment, _storage())

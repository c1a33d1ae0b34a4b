"""API endpoints. Anything the caller may not see is 404, never 403."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from flask import abort, jsonify, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from models import AccessToken, ActionItem, Organisation

from .. import audit
from ..access import current_viewer, get_or_404, hash_token
from ..actions import queries as action_queries
from ..actions.permissions import can_view
from ..extensions import db
from . import bp
from .openapi import document
from .schemas import api_error, item_json, token_json

MAX_PER_PAGE = 100


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/me")
def me():
    user = current_viewer()
    return jsonify(id=user.id, name=user.name, email=user.email, organisation=user.organisation.code,
                   role=user.role, csrf_token=generate_csrf())


@bp.get("/organisations")
def organisations():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    return jsonify([{"code": o.code, "name": o.name, "mdt_member": o.is_mdt_member} for o in orgs])


@bp.get("/tokens")
def list_tokens():
    tokens = db.session.scalars(
        select(AccessToken).where(AccessToken.user_id == current_viewer().id, AccessToken.revoked_at.is_(None))
        .order_by(AccessToken.id)
    ).all()
    return jsonify([token_json(t) for t in tokens])


@bp.post("/tokens")
def create_token():
    if not request.is_json:
        return api_error(415, "unsupported_media_type", "Stuur JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "bad_request", "De inhoud is geen geldig JSON-object.")
    name = body.get("name")
    days = body.get("expires_in_days", 90)
    fields = {}
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        fields["name"] = "Geef een naam van 1 tot 100 tekens."
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
        fields["expires_in_days"] = "Kies een geldigheid van 1 tot 366 dagen."
    if fields:
        return api_error(422, "validation_failed", "Controleer de velden.", fields)
    user = current_viewer()
    secret = "mdt_" + secrets.token_urlsafe(32)
    token = AccessToken(user_id=user.id, name=name.strip(), prefix=secret[:10], token_hash=hash_token(secret),
                        expires_at=datetime.now(timezone.utc) + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record("token.created", actor=user, entity_type="access_token", entity_id=token.id, name=token.name)
    db.session.commit()
    # The secret is shown this once; only its hash is stored.
    response = jsonify({**token_json(token), "token": secret})
    response.status_code = 201
    response.headers["Location"] = url_for("api.list_tokens") + f"/{token.id}"
    return response


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int):
    user = current_viewer()
    token = db.session.get(AccessToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        abort(404)
    token.revoked_at = datetime.now(timezone.utc)
    audit.record("token.revoked", actor=user, entity_type="access_token", entity_id=token.id)
    db.session.commit()
    return "", 204


@bp.get("/action-items")
def list_action_items():
    viewer = current_viewer()
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", 25, type=int) or 25
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        return api_error(400, "bad_request", f"page moet >= 1 zijn en per_page tussen 1 en {MAX_PER_PAGE}.")
    total = db.session.scalar(action_queries.count_visible(viewer))
    items = db.session.scalars(action_queries.visible_items(viewer).limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify(items=[item_json(i) for i in items], total=total, page=page, per_page=per_page)


@bp.get("/action-items/<int:item_id>")
def get_action_item(item_id: int):
    item = get_or_404(ActionItem, item_id, check=can_view)
    response = jsonify(item_json(item))
    response.headers["ETag"] = f'"{item.version}"'
    return response

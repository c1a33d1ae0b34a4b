"""The signed-in caller: the OpenAPI document, /me and personal access tokens."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, g, jsonify, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from models import AccessToken

from .. import audit, limits
from ..access import hash_token, signed_in
from ..auth import services as auth_services
from ..extensions import db
from . import bp
from .bodies_content import TokenCreate
from .helpers import body_of, service_call
from .openapi import document
from .schemas import api_error, token_json


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/me")
def me():
    user = signed_in()
    return jsonify(id=user.id, name=user.name, email=user.email, organisation=user.organisation.code,
                   role=user.role, csrf_token=generate_csrf())


@bp.get("/tokens")
def list_tokens():
    tokens = db.session.scalars(
        select(AccessToken).where(AccessToken.user_id == signed_in().id, AccessToken.revoked_at.is_(None))
        .order_by(AccessToken.id)
    ).all()
    return jsonify([token_json(t) for t in tokens])


@bp.post("/tokens")
def create_token():
    if g.get("token_auth"):
        # Rule 8: a token cannot mint tokens (which would outlive it); sign in to make one.
        return api_error(403, "forbidden", _("Een toegangstoken kan geen nieuwe tokens maken. Log in om een token te maken."))
    body = body_of(TokenCreate)
    name, days = body.get("name") or "", body.get("expires_in_days", 90)
    fields = {}
    if not 1 <= len(name.strip()) <= limits.TOKEN_NAME:
        fields["name"] = _("Geef een naam van 1 tot 100 tekens.")
    if not 1 <= days <= limits.TOKEN_DAYS:
        fields["expires_in_days"] = _("Kies een geldigheid van 1 tot 366 dagen.")
    if fields:
        return api_error(422, "validation_failed", _("Controleer de velden."), fields)
    user = signed_in()
    secret = "mdt_" + secrets.token_urlsafe(32)
    token = AccessToken(user_id=user.id, name=name.strip(), prefix=secret[:10], token_hash=hash_token(secret),
                        expires_at=datetime.now(UTC) + timedelta(days=days))
    with service_call(_("U mag geen sleutel maken.")):
        db.session.add(token)
        db.session.flush()
        audit.record("token.created", actor=user, entity_type="access_token", entity_id=token.id, name=token.name)
    # The secret is shown this once; only its hash is stored.
    response = jsonify({**token_json(token), "token": secret})
    response.status_code = 201
    response.headers["Location"] = url_for("api.list_tokens") + f"/{token.id}"
    return response


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int):
    user = signed_in()
    token = db.session.get(AccessToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        abort(404)
    with service_call(_("U mag deze sleutel niet intrekken.")):
        token.revoked_at = datetime.now(UTC)
        audit.record("token.revoked", actor=user, entity_type="access_token", entity_id=token.id)
    return "", 204


@bp.post("/sessions/end-all")
def end_all_sessions():
    """Every session of the caller ends and every token is revoked (the one used for this request too)."""
    sessions, tokens = auth_services.end_everything(db.session, current_app, signed_in())
    return jsonify({"sessions_ended": sessions, "tokens_revoked": tokens})
